using System.Security.Cryptography;
using Cbi.Workbench.Data;

namespace Cbi.Workbench.Tests.Data;

/// <summary>New data arriving as files (data/incoming), on the real vendored data: the 10-year yield's last two weeks
/// (2026-03-02 … 2026-03-16) are held back from a scratch copy of data/raw and delivered as an incoming file.</summary>
[Trait("Category", "Slow")]
public class IncomingTests : IDisposable
{
    const string Dgs10 = "fred_dgs10_carpet155/DGS10.csv";
    readonly ScratchRaw raw = new();
    readonly string incoming = Directory.CreateTempSubdirectory("cbi-incoming-test-").FullName;
    readonly string warehouse;
    readonly string[] held; // the real rows held back, in file order

    public IncomingTests()
    {
        var lines = File.ReadAllLines(raw.File(Dgs10));
        var cut = Array.FindIndex(lines, l => l.StartsWith("2026-03-02", StringComparison.Ordinal));
        Assert.True(cut > 0, "the vendored DGS10 has 2026-03-02");
        held = lines[cut..].Where(l => l.Length > 0).ToArray();
        File.WriteAllLines(raw.File(Dgs10), lines[..cut]);
        RawManifest.Write(raw.Dir);
        warehouse = Path.Combine(incoming, "..", Path.GetFileName(incoming) + "-warehouse.duckdb");
        Warehouse.Build(raw.Dir, warehouse, TextWriter.Null);
    }

    public void Dispose()
    {
        raw.Dispose();
        Directory.Delete(incoming, recursive: true);
        var effective = Path.Combine(Path.GetDirectoryName(incoming)!, "effective");
        if (Directory.Exists(effective)) Directory.Delete(effective, recursive: true);
        File.Delete(warehouse);
    }

    string Deliver(params string[] rows)
    {
        var path = Path.Combine(incoming, Dgs10);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, [File.ReadLines(raw.File(Dgs10)).First(), .. rows]);
        return path;
    }

    /// <summary>The last DGS10 date in a warehouse (read directly: a scratch warehouse is not this checkout's data, which
    /// <see cref="Snapshot"/> rightly refuses).</summary>
    static DateOnly LastDgs10(string wh)
    {
        using var db = new DuckDB.NET.Data.DuckDBConnection($"DataSource={wh};ACCESS_MODE=READ_ONLY");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT max(date) FROM series_daily WHERE name = 'DGS10'";
        return (DateOnly)cmd.ExecuteScalar()!;
    }

    static string Hash(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));

    [Fact]
    public void newer_real_rows_reach_the_warehouse_once_and_the_vendored_files_stay_as_they_were()
    {
        var lastVendored = File.ReadLines(raw.File(Dgs10)).Last();
        var rawHash = Hash(raw.File(Dgs10));
        Assert.Equal(new DateOnly(2026, 2, 27), LastDgs10(warehouse));

        Deliver([lastVendored, .. held]); // a repeat of the last vendored row is allowed: it is the same
        var accepted = Assert.Single(Incoming.Ingest(raw.Dir, incoming, warehouse, TextWriter.Null));
        Assert.Equal((held.Length, "2026-03-02", "2026-03-16"), (accepted.Rows, accepted.FirstKey, accepted.LastKey));
        Assert.Equal(new DateOnly(2026, 3, 16), LastDgs10(warehouse));
        Assert.Equal(rawHash, Hash(raw.File(Dgs10)));

        Assert.Empty(Incoming.Ingest(raw.Dir, incoming, warehouse, TextWriter.Null));
        Assert.Single(Incoming.Accepted(incoming));
        // The warehouse is current for the effective data: no rebuild.
        var log = new StringWriter();
        Warehouse.EnsureBuilt(Incoming.EffectiveRawDir(raw.Dir, incoming), warehouse, log);
        Assert.DoesNotContain("rebuilding", log.ToString());
    }

    [Fact]
    public void a_rewritten_past_value_is_refused_naming_file_line_and_both_values_and_nothing_changes()
    {
        var before = Hash(warehouse);
        var vendored = File.ReadLines(raw.File(Dgs10)).ToList();
        var line = vendored.FindIndex(l => l.StartsWith("2026-02-20", StringComparison.Ordinal));
        var old = vendored[line].Split(',')[1];
        var file = Deliver($"2026-02-20,{old}9", held[0]);
        var e = Assert.Throws<RawDataException>(() => Incoming.Ingest(raw.Dir, incoming, warehouse, TextWriter.Null));
        Assert.Equal(2, e.Line);
        Assert.Contains("rewrites the past", e.Message);
        Assert.Contains($"line {line + 1}) has '{old}', this file '{old}9'", e.Message);
        Assert.EndsWith(Dgs10, e.File);
        Assert.Equal(before, Hash(warehouse));
        Assert.Empty(Incoming.Accepted(incoming));
        Assert.True(File.Exists(file));
    }

    [Fact]
    public void a_malformed_incoming_file_is_refused_naming_its_line_and_nothing_changes()
    {
        var before = Hash(warehouse);
        Deliver(held[0], held[1] + ",extra");
        var e = Assert.Throws<RawDataException>(() => Incoming.Ingest(raw.Dir, incoming, warehouse, TextWriter.Null));
        Assert.Equal(3, e.Line);
        Assert.Contains("expected 2 fields as in the header, found 3", e.Message); // the loaders' own CSV reader

        var path = Path.Combine(incoming, Dgs10);
        File.WriteAllLines(path, ["date,value", .. held]);
        Assert.Equal(1, Assert.Throws<RawDataException>(() => Incoming.Ingest(raw.Dir, incoming, warehouse, TextWriter.Null)).Line);

        File.WriteAllLines(path, [File.ReadLines(raw.File(Dgs10)).First(), held[1], held[0]]);
        Assert.Contains("not after the last one", Assert.Throws<RawDataException>(() => Incoming.Ingest(raw.Dir, incoming, warehouse, TextWriter.Null)).Message);
        Assert.Equal(before, Hash(warehouse));
        Assert.Empty(Incoming.Accepted(incoming));
    }

    [Fact]
    public void an_incoming_file_without_a_vendored_file_to_extend_is_refused()
    {
        var path = Path.Combine(incoming, "fred_dgs10_carpet155", "DGS30.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, ["observation_date,DGS30", held[0]]);
        Assert.Contains("no vendored file data/raw/fred_dgs10_carpet155/DGS30.csv", Assert.Throws<RawDataException>(() => Incoming.Ingest(raw.Dir, incoming, warehouse, TextWriter.Null)).Message);
    }
}
