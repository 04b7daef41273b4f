using System.Security.Cryptography;
using Cbi.Workbench.Data;
using DuckDB.NET.Data;

namespace Cbi.Workbench.Tests.Data;

[Collection("warehouse")]
public class TrainingExportTests(WarehouseFixture wh)
{
    static List<Dictionary<string, object?>> ReadParquet(string path)
    {
        using var db = new DuckDBConnection("Data Source=:memory:");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT * FROM read_parquet('{path}') ORDER BY date";
        using var r = cmd.ExecuteReader();
        var rows = new List<Dictionary<string, object?>>();
        while (r.Read())
            rows.Add(Enumerable.Range(0, r.FieldCount).ToDictionary(r.GetName, i => r.IsDBNull(i) ? null : r.GetValue(i)));
        return rows;
    }

    string Out(string name) => Path.Combine(wh.Dir, "export", name);

    [Fact]
    public void full_export_has_date_close_and_every_target_column()
    {
        var m = TrainingExport.Write(Out("full.parquet"), warehousePath: wh.Path, log: TextWriter.Null);
        var rows = ReadParquet(Out("full.parquet"));
        Assert.Equal(m.Rows, rows.Count);
        Assert.Equal(new DateOnly(2000, 3, 15), m.FirstDate);
        Assert.Equal(new DateOnly(2026, 7, 14), m.LastDate);
        foreach (var n in new[] { 1, 5, 20, 21, 63, 126, 252 })
        {
            Assert.Contains($"ret_fwd_{n}d", m.Columns);
            Assert.Contains($"target_date_{n}d", rows[0].Keys);
        }
        Assert.Equal(m.Sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Out("full.parquet")))));
        Assert.Equal(RawManifest.DataVersion(), m.DataVersion);
        Assert.True(File.Exists(Out("full.manifest.json")));
        // 2012-01-10 row: ln(51.59/52.200001), from Soybean Oil.csv lines 3043–3044 (see WarehouseTests)
        var r = rows.Single(x => (DateOnly)x["date"]! == new DateOnly(2012, 1, 10));
        Assert.Equal(-0.011754658789122407, (double)r["ret_fwd_1d"]!, 1e-12);
    }

    [Fact]
    public void the_parquet_file_and_its_manifest_are_committed_as_a_pair()
    {
        var path = Out("pair/training.parquet");
        var m = TrainingExport.Write(path, asOf: new DateOnly(2010, 12, 31), warehousePath: wh.Path, log: TextWriter.Null);
        Assert.Equal(m, TrainingExport.Verify(path) with { Columns = m.Columns });
        Assert.Equal(m.Columns, TrainingExport.Verify(path).Columns);
        Assert.Equal(new[] { "training.manifest.json", "training.parquet" }, Directory.GetFiles(Out("pair")).Select(Path.GetFileName).Order());

        // Rewriting replaces both; a Parquet file that no longer matches its manifest, or has none, is refused.
        var m2 = TrainingExport.Write(path, warehousePath: wh.Path, log: TextWriter.Null);
        Assert.NotEqual(m.Sha256, m2.Sha256);
        Assert.Equal(m2.Sha256, TrainingExport.Verify(path).Sha256);
        File.AppendAllText(path, "x");
        var changed = Assert.Throws<InvalidDataException>(() => TrainingExport.Verify(path));
        Assert.Contains(Path.GetFullPath(path), changed.Message);
        File.Delete(TrainingExport.ManifestPath(path));
        var missing = Assert.Throws<InvalidDataException>(() => TrainingExport.Verify(path));
        Assert.Contains("incomplete", missing.Message);
    }

    [Theory]
    [InlineData("2012-06-29")]
    [InlineData("2020-04-20")]
    public void as_of_export_contains_nothing_published_after_the_date(string date)
    {
        var asOf = DateOnly.Parse(date);
        var m = TrainingExport.Write(Out($"asof_{date}.parquet"), asOf, wh.Path, TextWriter.Null);
        var rows = ReadParquet(Out($"asof_{date}.parquet"));
        Assert.Equal(asOf, m.LastDate);
        foreach (var row in rows)
        {
            Assert.True((DateOnly)row["date"]! <= asOf);
            foreach (var n in Warehouse.TargetHorizons)
            {
                var td = row[$"target_date_{n}d"];
                Assert.True(td is null || (DateOnly)td <= asOf);
                Assert.Equal(td is null, row[$"ret_fwd_{n}d"] is null);
            }
        }
        // the last row knows no target; the row 21 trading days earlier knows its 21d target
        Assert.Null(rows[^1]["ret_fwd_1d"]);
        Assert.Equal(asOf, (DateOnly)rows[^22]["target_date_21d"]!);
    }

    [Fact]
    public void quality_errors_refuse_the_export_and_write_nothing()
    {
        var copy = Path.Combine(wh.Dir, "with-error.duckdb");
        File.Copy(wh.Path, copy, overwrite: true);
        using (var db = new DuckDBConnection("Data Source=" + copy))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "INSERT INTO quality_report VALUES ('spike', 'error', 'ZL', 'test', DATE '2010-01-04', 'constructed defect')";
            cmd.ExecuteNonQuery();
        }
        var e = Assert.Throws<InvalidDataException>(() => TrainingExport.Write(Out("refused.parquet"), warehousePath: copy, log: TextWriter.Null));
        Assert.Contains("quality gate", e.Message);
        Assert.False(File.Exists(Out("refused.parquet")));
    }
}

public class DeterminismTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void two_builds_from_the_same_raw_files_export_identical_bytes()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-det-").FullName;
        try
        {
            string ExportSha(string name)
            {
                var wh = Path.Combine(dir, name + ".duckdb");
                Warehouse.Build(warehousePath: wh, log: TextWriter.Null);
                return TrainingExport.Write(Path.Combine(dir, name + ".parquet"), warehousePath: wh, log: TextWriter.Null).Sha256;
            }
            Assert.Equal(ExportSha("a"), ExportSha("b"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
