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
