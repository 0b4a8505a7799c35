"""Arabic knowledge shared by the stages and models, one home for each piece: normalization and
its character sets (`normalize`), clitics (`clitics`), number words (`numwords`), month and weekday
names (`calendar`), currencies (`currencies`). Each table is loaded from one file."""
