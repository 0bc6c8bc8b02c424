# Reference estimates from R's survey package, for tests/stats/test_stats_against_r.py.
#
#   Rscript survey_reference.R responses.csv volumes.csv params.csv out.csv
#
# responses.csv: one row per in-scope response: cell, unit, sector, month, channel,
#   domain, and for each indicator question q: y_q (1 satisfied, 0 not, NA no answer).
# volumes.csv: cell, unit, sector, dossiers (every cell of the period, sampled or not).
# params.csv: weighting, method, level, questions (";"-separated), coefficients, index.
suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "certainty", warn = -1)

args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
volumes <- read.csv(args[2], stringsAsFactors = FALSE)
params <- read.csv(args[3], stringsAsFactors = FALSE, colClasses = "character")
params$level <- as.numeric(params$level)
params$index <- params$index == "TRUE"
questions <- strsplit(params$questions, ";")[[1]]
coefficients <- as.numeric(strsplit(params$coefficients, ";")[[1]])
level <- params$level

for (q in questions) {
  d[[paste0("a_", q)]] <- as.numeric(!is.na(d[[paste0("y_", q)]]))
  d[[paste0("s_", q)]] <- ifelse(is.na(d[[paste0("y_", q)]]), 0, d[[paste0("y_", q)]])
}

if (params$weighting == "none") {
  d$stratum <- 1
  d$w <- 1
  design <- svydesign(ids = ~1, strata = ~stratum, weights = ~w, data = d)
} else if (params$weighting == "poststratified") {
  d$N <- volumes$dossiers[match(d$cell, volumes$cell)]
  d$w <- d$N / ave(rep(1, nrow(d)), d$cell, FUN = sum)
  design <- svydesign(ids = ~1, strata = ~cell, weights = ~w, data = d)
} else {
  d$one <- 1
  start <- svydesign(ids = ~1, strata = ~cell, weights = ~one, data = d)
  units <- aggregate(dossiers ~ unit, volumes[volumes$unit %in% d$unit, ], sum)
  sectors <- aggregate(dossiers ~ sector, volumes[volumes$sector %in% d$sector, ], sum)
  names(units) <- c("unit", "Freq")
  names(sectors) <- c("sector", "Freq")
  design <- rake(start, list(~unit, ~sector), list(units, sectors),
                 control = list(maxit = 100, epsilon = 1e-13))
}

rows <- list()
for (dom in sort(unique(d$domain))) {
  if (params$index) {
    dd <- subset(design, domain == dom)
    num <- as.formula(paste("~", paste0("s_", questions, collapse = "+")))
    den <- as.formula(paste("~", paste0("a_", questions, collapse = "+")))
    ratios <- svyratio(num, den, dd, covmat = TRUE)
    names(coefficients) <- paste0("s_", questions, "/a_", questions)
    combined <- svycontrast(ratios, coefficients)
    p <- as.numeric(coef(combined))
    se <- as.numeric(SE(combined))
    df <- degf(dd)
    # An index is a mean of rates: its interval is the requested method's formula applied
    # to R's estimate, standard error and degrees of freedom.
    t <- qt(1 - (1 - level) / 2, df)
    if (params$method == "logit") {
      ci <- plogis(qlogis(p) + c(-1, 1) * t * se / (p * (1 - p)))
    } else if (params$method == "beta") {
      alpha <- 1 - level
      n_eff <- p * (1 - p) / se^2 * (qt(alpha / 2, nrow(dd) - 1) / qt(alpha / 2, df))^2
      ci <- c(qbeta(alpha / 2, n_eff * p, n_eff * (1 - p) + 1),
              qbeta(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p)))
    } else {
      ci <- p + c(-1, 1) * t * se
    }
  } else {
    # A calibrated design keeps the rows a subset leaves out (with weight 0), so the
    # indicator must be a number on every row: s_q, 0 where unanswered.
    answered <- subset(design, domain == dom & design$variables[[paste0("a_", questions[1])]] == 1)
    if (sum(weights(answered) > 0) == 0) next
    f <- as.formula(paste0("~s_", questions[1]))
    method <- if (params$method == "wald") "mean" else params$method
    est <- svyciprop(f, answered, method = method, level = level)
    p <- as.numeric(coef(est))
    se <- as.numeric(SE(est))
    df <- degf(answered)
    ci <- as.numeric(attr(est, "ci"))
  }
  rows[[length(rows) + 1]] <- data.frame(domain = dom, rate = p, se = se, df = df,
                                         ci_low = ci[1], ci_high = ci[2])
}
write.csv(do.call(rbind, rows), args[4], row.names = FALSE)
