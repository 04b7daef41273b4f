# Called by `cbi bench --model arima,ets` when Rscript is present (never by the tests). Usage:
#   Rscript scripts/bench-r.R DIR REPEATS
# 1. writes the classic R series into DIR (one value per line, "<name>.txt") so that the workbench fits the very same
#    values; DIR already holds the ZL series the workbench benchmarks (zl.txt);
# 2. times forecast::auto.arima(ts(log(x)), seasonal = FALSE) and forecast::ets(ts(log(x)), additive.only = TRUE)
#    on every series in DIR, REPEATS times after one warm-up, and writes DIR/r-times.tsv (median ms per fit).
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; repeats <- as.integer(args[2])
for (s in c("WWWusage", "lynx", "Nile", "LakeHuron", "USAccDeaths", "austres", "wineind", "woolyrnq"))
  writeLines(sprintf("%.17g", as.numeric(get(s, envir = asNamespace("datasets")))), file.path(dir, paste0(s, ".txt")))
time_ms <- function(f) {
  f()
  t <- numeric(repeats)
  for (i in seq_len(repeats)) { t0 <- proc.time()[["elapsed"]]; f(); t[i] <- 1000 * (proc.time()[["elapsed"]] - t0) }
  median(t)
}
rows <- c()
for (file in sort(list.files(dir, pattern = "\\.txt$"))) {
  y <- ts(log(as.numeric(readLines(file.path(dir, file)))))
  a <- time_ms(function() auto.arima(y, seasonal = FALSE))
  e <- time_ms(function() ets(y, additive.only = TRUE))
  rows <- c(rows, paste(sub("\\.txt$", "", file), length(y), sprintf("%.3f", a), sprintf("%.3f", e), sep = "\t"))
}
writeLines(c(sprintf("# R %s.%s, forecast %s", R.version$major, R.version$minor, as.character(packageVersion("forecast"))),
             paste("series", "n", "auto_arima_ms", "ets_ms", sep = "\t"), rows), file.path(dir, "r-times.tsv"))
