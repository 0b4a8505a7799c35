"""Arabic knowledge shared by the stages and models, one home for each piece: normalization and
its character sets (`normalize`), clitics (`clitics`), number words (`numwords`) and their
parser (`numparse`), month and weekday names, parts of the day, era markers and relative modifiers
(`calendar`), currencies (`currencies`). Each table has one home, loaded from one file or written once."""
