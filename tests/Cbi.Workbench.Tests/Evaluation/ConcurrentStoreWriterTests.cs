using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;
using static Cbi.Workbench.Tests.Models.ConstructedSeries;

namespace Cbi.Workbench.Tests.Evaluation;

/// <summary>Concurrent writers of one prediction table (threads here; processes take the same file lock).</summary>
public class ConcurrentStoreWriterTests
{
    [Fact]
    public void concurrent_writers_of_one_prediction_table_keep_every_writers_rows()
    {
        // Four writers, each writing its own model's rows in 30 batches: without turns, a writer rewrites the version it
        // read and another's batch goes missing (a lost update; seen here without the lock); with it every row is there.
        var dir = Directory.CreateTempSubdirectory("cbi-store-").FullName;
        try
        {
            var path = Path.Combine(dir, "predictions.parquet");
            var f = Cycle(400);
            List<PredictionRow> Rows(string model, int batch) => Range(10 + 10 * batch, 20 + 10 * batch).Select(t =>
                new PredictionRow(model, 1, f.Dates[t], f.Dates[t + 1], 0.001, -0.01, 0, 0.01, 0, "validation")).ToList();
            string[] models = ["rw", "mean", "ets", "arima"];
            using var start = new Barrier(models.Length);
            var writers = models.Select(m => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                for (var b = 0; b < 30; b++) PredictionStore.WriteParquet(Rows(m, b), path);
            }, TaskCreationOptions.LongRunning)).ToArray();
            Task.WaitAll(writers);
            var table = PredictionStore.ReadParquet(path);
            Assert.All(models, m => Assert.Equal(300, table.Count(r => r.Model == m)));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
