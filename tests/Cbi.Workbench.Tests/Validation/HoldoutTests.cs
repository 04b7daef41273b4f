using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Tests.Validation;

public class HoldoutTests
{
    static string TempLog() => Path.Combine(Directory.CreateTempSubdirectory("cbi-holdout").FullName, "smoke", "holdout-reads.jsonl");

    [Fact]
    public void first_read_is_recorded_and_a_second_read_needs_release()
    {
        var f = SplitTests.Calendar();
        var log = TempLog();
        var set = Holdout.Read(f, "unit test: first read", logPath: log);
        Assert.Equal(new DateOnly(2023, 7, 3), f.Dates[set.Rows[0]]); // 2023-07-01 is a Saturday
        var rec = Assert.Single(Holdout.History(log));
        Assert.Equal("unit test: first read", rec.Reason);
        Assert.Contains(nameof(first_read_is_recorded_and_a_second_read_needs_release), rec.Caller);
        Assert.False(string.IsNullOrEmpty(rec.Commit));
        Assert.True((DateTime.UtcNow - rec.TimeUtc).TotalMinutes < 5);

        var e = Assert.Throws<InvalidOperationException>(() => Holdout.Read(f, "peek again", logPath: log));
        Assert.Contains("already read", e.Message);
        Assert.Contains("release", e.Message);
        Assert.Single(Holdout.History(log)); // the refused read left no record

        Holdout.Read(f, "final report after review", release: true, logPath: log);
        var h = Holdout.History(log);
        Assert.Equal(2, h.Count);
        Assert.True(h[1].Release);
    }

    [Fact]
    public void a_read_needs_a_reason()
    {
        Assert.Throws<ArgumentException>(() => Holdout.Read(SplitTests.Calendar(), " ", logPath: TempLog()));
    }

    [Theory, MemberData(nameof(SplitTests.Horizons), MemberType = typeof(SplitTests))]
    public void holdout_fold_trains_only_on_rows_whose_targets_end_before_the_holdout(int h)
    {
        var f = SplitTests.Calendar();
        var fold = Holdout.Read(f, "purge test", logPath: TempLog()).Fold(h);
        Assert.True(f.Dates[f.TargetRow(fold.TrainRows[^1], h)] < Holdout.Start);
        Assert.All(fold.ScoreRows, r => Assert.True(f.Dates[r] >= Holdout.Start));
        Assert.Equal("holdout", fold.Split);
    }

    [Fact]
    public void the_default_log_lives_under_the_profile_folder_of_the_root()
    {
        Assert.Equal(Path.Combine(Workbench.ArtifactsDir, Workbench.Profile, "holdout-reads.jsonl"), Holdout.DefaultLogPath);
    }
}
