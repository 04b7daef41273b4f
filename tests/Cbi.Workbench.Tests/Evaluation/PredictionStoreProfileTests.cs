using Cbi.Workbench.Data;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Models;
using DuckDB.NET.Data;
using static Cbi.Workbench.Tests.Data.KilledWrites;

namespace Cbi.Workbench.Tests.Evaluation;

/// <summary>Reads both prediction stores the same way, so tests can compare them row for row.</summary>
internal static class Stores
{
    /// <summary>An empty DuckDB file standing in for a built warehouse (the store needs the file, not its data tables).</summary>
    internal static string EmptyWarehouse(string dir)
    {
        var path = Path.Combine(dir, "warehouse.duckdb");
        using (var con = new DuckDBConnection($"DataSource={path}")) con.Open();
        return path;
    }

    /// <summary>The warehouse rows of one profile, in key order (none when the table does not exist).</summary>
    internal static List<PredictionRow> Warehouse(string warehouse, string profile)
    {
        using var con = new DuckDBConnection($"DataSource={warehouse};ACCESS_MODE=READ_ONLY");
        con.Open();
        if (Convert.ToInt64(WarehouseSql.Scalar(con, WarehouseSql.TableExists("predictions"))) == 0) return [];
        return Sorted(WarehouseSql.Read(con, $"SELECT model, horizon, origin_date, target_date, y, q10, q50, q90, fold, split FROM predictions WHERE profile = '{profile}'",
            rd => new PredictionRow(rd.GetString(0), rd.GetInt32(1), rd.GetFieldValue<DateOnly>(2), rd.GetFieldValue<DateOnly>(3),
                rd.GetDouble(4), rd.GetDouble(5), rd.GetDouble(6), rd.GetDouble(7), rd.GetInt32(8), rd.GetString(9))));
    }

    /// <summary>The Parquet table's rows in key order.</summary>
    internal static List<PredictionRow> Parquet(string path) => Sorted(PredictionStore.ReadParquet(path));

    internal static List<PredictionRow> Sorted(IEnumerable<PredictionRow> rows) => rows.OrderBy(r => r.Model, StringComparer.Ordinal)
        .ThenBy(r => r.Horizon).ThenBy(r => r.Split, StringComparer.Ordinal).ThenBy(r => r.OriginDate).ToList();
}

/// <summary>The warehouse table holds every profile's rows beside each other, each profile's a copy of its Parquet table.</summary>
public class PredictionStoreProfileTests
{
    [Fact]
    public void smoke_and_full_rows_with_the_same_key_both_stay_in_the_warehouse()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-profiles-").FullName;
        try
        {
            var wh = Stores.EmptyWarehouse(dir);
            var smoke = Path.Combine(dir, "smoke", "predictions.parquet");
            var full = Path.Combine(dir, "full", "predictions.parquet");
            // The same keys (model, horizon, split, origin) with other values in each profile.
            var s = Rows(300, shift: 1);
            var f = Rows(300, shift: 2);
            PredictionStore.Write(s, smoke, wh);
            PredictionStore.Write(f, full, wh);
            // A narrow smoke re-run replaces its ten keys of smoke only.
            var narrow = Rows(10, shift: 3);
            PredictionStore.Write(narrow, smoke, wh);

            Assert.Equal(Stores.Sorted(narrow.Concat(s.Skip(10))), Stores.Warehouse(wh, "smoke"));
            Assert.Equal(Stores.Sorted(f), Stores.Warehouse(wh, "full"));
            Assert.Equal(Stores.Parquet(smoke), Stores.Warehouse(wh, "smoke"));
            Assert.Equal(Stores.Parquet(full), Stores.Warehouse(wh, "full"));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void rows_written_to_the_parquet_table_alone_reach_the_warehouse_at_the_next_write()
    {
        // --no-warehouse leaves the warehouse behind the Parquet table, the truth; the next write puts it right.
        var dir = Directory.CreateTempSubdirectory("cbi-behind-").FullName;
        try
        {
            var wh = Stores.EmptyWarehouse(dir);
            var smoke = Path.Combine(dir, "smoke", "predictions.parquet");
            PredictionStore.Write(Rows(100), smoke, wh);
            PredictionStore.WriteParquet(Rows(50, "mean", 21), smoke);
            Assert.Equal(100, Stores.Warehouse(wh, "smoke").Count);

            PredictionStore.Write(Rows(20, "ets", 1), smoke, wh);

            Assert.Equal(170, Stores.Warehouse(wh, "smoke").Count);
            Assert.Equal(Stores.Parquet(smoke), Stores.Warehouse(wh, "smoke"));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void a_rebuild_drops_the_rows_of_a_table_without_profiles_saying_so_and_each_profile_is_restored_from_its_parquet_table()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-migrate-").FullName;
        try
        {
            var wh = Path.Combine(dir, "warehouse.duckdb");
            Warehouse.Build(Workbench.RawDir, wh, TextWriter.Null);
            var smoke = Path.Combine(dir, "smoke", "predictions.parquet");
            var full = Path.Combine(dir, "full", "predictions.parquet");
            PredictionStore.WriteParquet(Rows(300, shift: 1), smoke);
            PredictionStore.WriteParquet(Rows(300, shift: 2).Concat(Rows(40, "mean", 63)).ToList(), full);
            // The table as it was before the profile column: the full run wrote last, so its values stood for both.
            using (var con = new DuckDBConnection($"DataSource={wh}"))
            {
                con.Open();
                WarehouseSql.Exec(con, WarehouseSql.CreateTable("predictions", PredictionStore.Columns));
                WarehouseSql.Exec(con, WarehouseSql.InsertFromParquet("predictions", "*", full));
            }

            var log = new StringWriter();
            Warehouse.Build(Workbench.RawDir, wh, log);

            Assert.Contains("carried over predictions: 340 rows", log.ToString());
            Assert.Contains("the warehouse table predictions had no profile column", log.ToString());
            Assert.Contains("its 340 rows, whose profile cannot be known, were dropped", log.ToString());
            Assert.Empty(Stores.Warehouse(wh, "smoke"));
            Assert.Empty(Stores.Warehouse(wh, "full"));
            // What `cbi warehouse` does next for each profile (and any write of the profile does first).
            Assert.Equal(300, PredictionStore.Reconcile(smoke, wh));
            Assert.Equal(340, PredictionStore.Reconcile(full, wh));
            Assert.Equal(0, PredictionStore.Reconcile(smoke, wh));
            Assert.Equal(Stores.Parquet(smoke), Stores.Warehouse(wh, "smoke"));
            Assert.Equal(Stores.Parquet(full), Stores.Warehouse(wh, "full"));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void an_unreadable_parquet_table_is_named_and_neither_store_is_written()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-unreadable-").FullName;
        try
        {
            var wh = Stores.EmptyWarehouse(dir);
            var smoke = Path.Combine(dir, "smoke", "predictions.parquet");
            Directory.CreateDirectory(Path.GetDirectoryName(smoke)!);
            File.WriteAllText(smoke, "not a parquet file");

            var e = Assert.Throws<InvalidDataException>(() => PredictionStore.Write(Rows(10), smoke, wh));
            Assert.Contains(smoke, e.Message);
            Assert.Contains("cannot be read as a prediction table", e.Message);
            Assert.Equal("not a parquet file", File.ReadAllText(smoke));
            Assert.Empty(Stores.Warehouse(wh, "smoke"));
            Assert.Throws<InvalidDataException>(() => PredictionStore.WriteParquet(Rows(10), smoke));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
