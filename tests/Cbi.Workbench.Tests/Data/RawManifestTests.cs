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
        Assert.Equal(RawManifest.Read(), RawManifest.FromProvenance(Workbench.RawDir));

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
        Assert.Equal("data/raw/eia_oil_datasets/wti-daily.csv", e.File);
        Assert.Contains("SHA-256 mismatch", e.Message);
    }

    [Fact]
    public void a_missing_raw_file_fails_naming_the_file()
    {
        using var raw = new ScratchRaw();
        File.Delete(raw.File("vix_cboe_datasets/vix-daily.csv"));
        var e = Assert.Throws<RawDataException>(() => RawManifest.Verify(raw.Dir));
        Assert.Equal("data/raw/vix_cboe_datasets/vix-daily.csv", e.File);
        Assert.Contains("missing", e.Message);
    }
}
