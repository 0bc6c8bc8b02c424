# svyglm reference for the drivers endpoint (tests/stats/test_stats_against_r.py).
#   Rscript drivers_reference.R responses.csv volumes.csv out.csv
# responses.csv: cell, y (overall satisfied 0/1), and one 0/1 column per element.
suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "certainty", warn = -1)
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
volumes <- read.csv(args[2], stringsAsFactors = FALSE)
d$N <- volumes$dossiers[match(d$cell, volumes$cell)]
d$w <- d$N / ave(rep(1, nrow(d)), d$cell, FUN = sum)
design <- svydesign(ids = ~1, strata = ~cell, weights = ~w, data = d)
elements <- setdiff(names(d), c("cell", "y", "complete", "N", "w"))
used <- subset(design, complete == 1)
model <- svyglm(as.formula(paste("y ~", paste(elements, collapse = "+"))), used,
                family = quasibinomial())
out <- data.frame(element = names(coef(model)), coefficient = coef(model), se = SE(model))
write.csv(out, args[3], row.names = FALSE)
