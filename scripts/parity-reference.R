# Reference values for the ARIMA/ETS parity suite (tests/Cbi.Workbench.Tests/Models/ArimaEtsParityTests.cs).
# Run by scripts/parity-reference.sh; writes one file per series (the values, with their source) and reference.tsv
# (one line per series × model, with the exact R call that produced each value). The tests never run R.
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
out <- args[1]; zl_file <- args[2]
classic <- c("WWWusage", "lynx", "Nile", "LakeHuron", "USAccDeaths", "austres", "wineind", "woolyrnq")
series <- list()
for (s in classic) series[[s]] <- as.numeric(get(s, envir = asNamespace("datasets")))
zl <- read.delim(zl_file, header = TRUE)
series[["zl_before_2020"]] <- as.numeric(zl$close)

g <- function(v) sprintf("%.17g", v)
rows <- c()
for (s in names(series)) {
  x <- series[[s]]
  src <- if (s == "zl_before_2020")
    "ZL=F daily closes 2003-12-29 .. 2019-12-30 from data/raw via `cbi sql` (the unbroken run before 2020 the workbench fits on)"
  else sprintf("R %s datasets::%s, as.numeric(%s)", paste(R.version$major, R.version$minor, sep = "."), s, s)
  writeLines(c(paste("#", src), paste("# n =", length(x)), g(x)), file.path(out, paste0(s, ".txt")))
  y <- ts(log(x))
  t0 <- proc.time()[["elapsed"]]
  a <- auto.arima(y, seasonal = FALSE)
  fa <- forecast(a, h = 10, level = 80)
  e <- ets(y, additive.only = TRUE)
  fe <- forecast(e, h = 10, level = 80)
  ord <- arimaorder(a)
  const <- any(c("intercept", "drift") %in% names(coef(a)))
  rows <- c(rows, paste(s, length(x), "arima",
    sprintf("(%d,%d,%d)", ord[1], ord[2], ord[3]), const, g(a$aicc), g(a$loglik), g(a$sigma2),
    g(fa$mean[1]), g(fa$mean[10]), g((fa$upper[10] - fa$lower[10]) / 2),
    sprintf("forecast(auto.arima(ts(log(x)), seasonal = FALSE), h = 10, level = 80) with x = %s", s), sep = "\t"))
  kind <- paste0(e$components[1], e$components[2], if (e$components[4] == "TRUE") "d" else "", e$components[3])
  rows <- c(rows, paste(s, length(x), "ets", kind, "NA", g(e$aicc), g(e$loglik), g(e$sigma2),
    g(fe$mean[1]), g(fe$mean[10]), g((fe$upper[10] - fe$lower[10]) / 2),
    sprintf("forecast(ets(ts(log(x)), additive.only = TRUE), h = 10, level = 80) with x = %s", s), sep = "\t"))
}
header <- paste("series", "n", "model", "form", "constant", "aicc", "loglik", "sigma2", "mean1", "mean10", "half80_10", "r_call", sep = "\t")
writeLines(c(
  sprintf("# R %s.%s, forecast %s (Debian r-cran-forecast); log of each series, treated as consecutive closes (frequency 1).",
          R.version$major, R.version$minor, as.character(packageVersion("forecast"))),
  "# form: ARIMA (p,d,q) or ETS kind; constant: ARIMA intercept/drift; half80_10: half the 80 % interval at h = 10.",
  header, rows), file.path(out, "reference.tsv"))

# Per ETS kind: R's own optimum, and R's likelihood at the workbench's smoothing parameters (initial states
# re-estimated by R), so that where the workbench finds a better optimum R itself can confirm it.
wp <- read.delim(file.path(out, "workbench-ets-params.tsv"), comment.char = "#")
spec <- list(Simple = list(model = "ANN", damped = FALSE), Holt = list(model = "AAN", damped = FALSE),
             Damped = list(model = "AAN", damped = TRUE))
krows <- c()
for (i in seq_len(nrow(wp))) {
  s <- wp$series[i]; k <- wp$kind[i]; y <- ts(log(series[[s]])); sp <- spec[[k]]
  # R refuses fixed values on the edge of its bounds ("No model able to be fitted"): moved 1e-7 inside, which
  # moves the log-likelihood by far less than the tests' tolerance.
  e <- 1e-7
  wp$alpha[i] <- min(max(wp$alpha[i], 1e-4 + e), 0.9999 - e)
  wp$beta[i] <- min(max(wp$beta[i], 1e-4 + e), wp$alpha[i] - e)
  wp$phi[i] <- min(max(wp$phi[i], 0.8 + e), 0.98 - e)
  own <- ets(y, model = sp$model, damped = sp$damped)
  own_call <- sprintf("ets(ts(log(x)), model = \"%s\", damped = %s)", sp$model, sp$damped)
  fixed_call <- sprintf("ets(ts(log(x)), model = \"%s\", damped = %s, alpha = %s%s%s)", sp$model, sp$damped, g(wp$alpha[i]),
    if (k != "Simple") paste0(", beta = ", g(wp$beta[i])) else "", if (k == "Damped") paste0(", phi = ", g(wp$phi[i])) else "")
  # With α/β/φ fixed R counts fewer estimated parameters, so the comparison is on the log-likelihood (R's
  # convention, −½n·ln SSE), not on AICc.
  at <- tryCatch(eval(parse(text = sub("ts(log(x))", "y", fixed_call, fixed = TRUE)))$loglik, error = function(e) NA)
  krows <- c(krows, paste(s, k, g(own$loglik), if (is.na(at)) "NA" else g(at), paste(own_call, "with x =", s), paste(fixed_call, "with x =", s), sep = "\t"))
}
writeLines(c(
  sprintf("# R %s.%s, forecast %s. loglik_r: R's own fit of the kind; loglik_r_at_workbench: R's log-likelihood with the workbench's alpha/beta/phi fixed (initial states re-estimated by R).",
          R.version$major, R.version$minor, as.character(packageVersion("forecast"))),
  paste("series", "kind", "loglik_r", "loglik_r_at_workbench", "r_call", "r_call_at_workbench", sep = "\t"), krows),
  file.path(out, "ets-kinds.tsv"))
