using Cbi.Workbench.Data;

namespace Cbi.Workbench.Tests.Data;

public class RawManifestTests
{
    [Fact]
    public void committed_manifest_matches_every_raw_file()
    {
        var version = RawManifest.Verify();
        Assert.Matches("^[0-9a-f]{64}$", version);
        Assert.Equal(44, RawManifest.Read().Count); // PROVENANCE.md: "44 CSV files"
    }

    [Fact]
    public void manifest_regenerated_from_provenance_equals_the_committed_one() =>
        Assert.Equal(RawManifest.Read().Select(e => e with { Line = 0 }), RawManifest.FromProvenance(Workbench.RawDir));

    [Fact]
    public void every_entry_carries_repo_commit_licence_and_units()
    {
        foreach (var e in RawManifest.Read())
        {
            Assert.Matches("^[0-9a-f]{40}$", e.Commit);
            Assert.Contains('/', e.Repo);
            Assert.False(string.IsNullOrWhiteSpace(e.Licence), e.Path);
            Assert.False(string.IsNullOrWhiteSpace(e.Units), e.Path);
        }
    }

    [Fact]
    public void a_changed_raw_file_fails_the_hash_check_naming_the_file()
    {
        using var raw = new ScratchRaw();
        File.AppendAllText(raw.File("eia_oil_datasets/wti-daily.csv"), "2026-08-19,90\n");
        var e = Assert.Throws<RawDataException>(() => RawManifest.Verify(raw.Dir));
        var line = RawManifest.Read(raw.Dir).Single(x => x.Path == "eia_oil_datasets/wti-daily.csv").Line;
        Assert.Equal(("data/raw/MANIFEST.tsv", line, "sha256"), (e.File, e.Line, e.Column));
        Assert.StartsWith($"data/raw/MANIFEST.tsv: line {line}, column 'sha256': data/raw/eia_oil_datasets/wti-daily.csv has SHA-256 ", e.Message);
    }

    [Fact]
    public void a_missing_raw_file_fails_naming_the_file()
    {
        using var raw = new ScratchRaw();
        File.Delete(raw.File("vix_cboe_datasets/vix-daily.csv"));
        var e = Assert.Throws<RawDataException>(() => RawManifest.Verify(raw.Dir));
        var line = RawManifest.Read(raw.Dir).Single(x => x.Path == "vix_cboe_datasets/vix-daily.csv").Line;
        Assert.Equal($"data/raw/MANIFEST.tsv: line {line}, column 'path': data/raw/vix_cboe_datasets/vix-daily.csv is listed but missing.", e.Message);
    }

    [Fact]
    public void a_file_whose_manifest_row_was_deleted_is_refused_so_the_hash_check_cannot_be_bypassed()
    {
        using var raw = new ScratchRaw();
        var manifest = Path.Combine(raw.Dir, RawManifest.FileName);
        File.WriteAllLines(manifest, File.ReadAllLines(manifest).Where(l => !l.StartsWith("eia_oil_datasets/wti-daily.csv\t", StringComparison.Ordinal)));
        File.AppendAllText(raw.File("eia_oil_datasets/wti-daily.csv"), "2026-08-19,90\n");
        var e = Assert.Throws<RawDataException>(() => RawManifest.Verify(raw.Dir));
        Assert.Equal("data/raw/eia_oil_datasets/wti-daily.csv", e.File);
        Assert.Contains("not listed in MANIFEST.tsv", e.Message);
    }
}
