using System.Globalization;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Reporting;

namespace Cbi.Workbench.Tests.Reporting;

/// <summary>Result tables read as tables: a column per field, every row, numbers in the form their name says, the same
/// text in every culture.</summary>
public class ResultTableTests
{
    sealed record Row(string Model, int Horizon, double SkillVsRw, double Coverage80, double DmP, double QuantileScore, DateOnly Origin, bool Released);

    static readonly Row[] Rows =
    [
        new("garch_n", 1, 0.0528022746, 0.7873015873, 1.8e-6, 0.009598515214, new DateOnly(2023, 7, 3), true),
        new("rw", 1, 0, 0.60476, double.NaN, 0.0101335919, new DateOnly(2023, 7, 3), false),
        new("snaive", 252, -19.206, 0.262, 0.0412, 0.36077, new DateOnly(2024, 1, 2), false),
    ];

    [Fact]
    public void every_field_is_a_column_and_numbers_read_as_their_names_say()
    {
        var t = Rows.AsTable("demo");
        Assert.Equal(["Model", "Horizon", "SkillVsRw (%)", "Coverage80 (%)", "DmP", "QuantileScore", "Origin", "Released"], t.Headers);
        Assert.Equal(["garch_n", "1", "+5.3", "78.7", "1.8e-06", "0.009599", "2023-07-03", "yes"], t.Rows[0]);
        Assert.Equal(["rw", "1", "0.0", "60.5", "—", "0.01013", "2023-07-03", "no"], t.Rows[1]); // NaN shows as missing, never as 0
        Assert.Equal(["snaive", "252", "-1920.6", "26.2", "0.041", "0.3608", "2024-01-02", "no"], t.Rows[2]);
    }

    [Fact]
    public void a_small_positive_p_value_never_prints_as_zero()
    {
        foreach (var p in new[] { 1e-300, 3.2e-17, 5.57e-7, 0.00099 })
            Assert.NotEqual("0", ResultTable.Number(p, "DmPValueVsRw"));
        Assert.Equal("5.6e-07", ResultTable.Number(5.568876672029561e-07, "DmP"));
        Assert.Equal("0.001", ResultTable.Number(0.001, "SpaP"));
    }

    [Fact]
    public void html_and_text_hold_every_row_however_many()
    {
        var many = Enumerable.Range(0, 120).Select(i => new { Model = $"m{i}", Horizon = i }).ToList();
        var t = many.AsTable();
        Assert.Equal(121, System.Text.RegularExpressions.Regex.Matches(t.ToHtml(), "<tr>").Count); // header + 120
        Assert.Equal(122, t.ToString().Split('\n').Length); // header, rule, 120 rows
        Assert.DoesNotContain("more", t.ToHtml());
    }

    [Fact]
    public void the_csv_keeps_full_precision_and_the_caption_names_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cbi-table-{Guid.NewGuid():N}.csv");
        try
        {
            var t = Rows.AsTable("demo", path);
            var lines = File.ReadAllLines(path);
            Assert.Equal("Model,Horizon,SkillVsRw,Coverage80,DmP,QuantileScore,Origin,Released", lines[0]);
            Assert.Equal("garch_n,1,0.0528022746,0.7873015873,1.8E-06,0.009598515214,2023-07-03,true", lines[1]);
            Assert.Equal("rw,1,0,0.60476,,0.0101335919,2023-07-03,false", lines[2]); // NaN stays missing
            Assert.Contains("3 rows; every row at full precision in", t.ToHtml());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void the_table_is_the_same_in_a_culture_with_a_decimal_comma()
    {
        var invariant = Rows.AsTable().ToString();
        var before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.Equal(invariant, Rows.AsTable().ToString());
        }
        finally { CultureInfo.CurrentCulture = before; }
    }

    [Fact]
    public void a_skill_matrix_has_a_row_per_model_and_a_column_per_horizon_best_first()
    {
        var comparison = new[]
        {
            new BaselineComparison("rw", 1, 10, 0, 0, double.NaN, 0.6, 0.1, 0.01, 1, 1, 1),
            new BaselineComparison("garch_n", 1, 10, 0.05, 0, 0.01, 0.8, 0.1, 0.009, 1, 1, 1),
            new BaselineComparison("garch_n", 5, 10, -0.01, 0, 0.5, 0.8, 0.1, 0.02, 1, 1, 1),
        };
        var m = ModelComparison.SkillMatrix(comparison);
        Assert.Equal(["Model", "h1 (%)", "h5 (%)"], m.Headers);
        Assert.Equal(["garch_n", "+5.0", "-1.0"], m.Rows[0]);
        Assert.Equal(["rw", "0.0", "—"], m.Rows[1]); // a pair without a row shows as missing
    }

    static VerdictRow Verdict(int h, string claim, double skill, double dmP) =>
        new(h, "m", claim, 0.05, "0.010", 0.75, 0.04, 700, skill, double.NaN, double.NaN, dmP, 0.8, 0, "v", true);

    [Fact]
    public void the_verdict_sentence_says_no_skill_where_there_is_none_and_whether_the_holdout_confirms_a_claim()
    {
        var s = HoldoutVerdict.Sentence([Verdict(1, "skill", 0.006, 0.18), Verdict(5, "skill", 0.02, 0.01), Verdict(21, "skill", -0.0001, 0.99),
            Verdict(63, "no skill", -0.046, 0.34), Verdict(252, "no skill", -0.1, 0.02)]);
        Assert.Equal("No skill over the random walk at 63, 252 d (validation could not show any). Skill claimed from validation at 1, 5, 21 d; " +
                     "the holdout confirms it (better and significant at 5 %) at 5 d, and not at 1, 21 d. On the holdout the released model scores " +
                     "below the random walk (by more than 0.05 %) at 63, 252 d, significantly at 252 d.", s); // −0.01 % at 21 d is no difference
    }

    [Fact]
    public void the_verdict_interval_is_skill_plus_minus_t_times_skill_over_dm_and_withheld_without_a_reliable_dm()
    {
        // Constructed summary rows: skill 0.02, DM −2.5 on 400 paired origins → half-width t(0.975, 399) · 0.02 / 2.5,
        // t(0.975, 399) ≈ 1.965927 (standard t tables: 1.9659 at 400 degrees of freedom); at h 252 DM is withheld (N/h < 10).
        SummaryRow Row(int h, bool reliable) => new("garch_n", h, "holdout", 400, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.01, 0.8, 0.1, 0, 0.5, 0.02, 0, -2.5,
            reliable ? 0.013 : double.NaN, 400.0 / h, reliable, 0.5, 1);
        var holdout = new HoldoutResult([], [Row(5, true), Row(252, false)], [new HoldoutModel("garch_n", 5, "v5", 400, 0), new HoldoutModel("garch_n", 252, "v252", 400, 0)],
            new LedgerEntry(DateTime.UnixEpoch, "smoke", "x", "c", false, 1, [], new Dictionary<string, string>()), "m.csv");
        var cards = new[] { 5, 252 }.Select(h => new ReleaseCard(h, "garch_n", h == 5, "r", 0.05, 0.79, 0.01, 400, [0], "garch_n", h == 5 ? 0 : double.NaN, 10, $"v{h}", [])).ToList();
        var rows = HoldoutVerdict.Rows(cards, holdout);
        Assert.Equal(0.02 - 1.965927 * 0.02 / 2.5, rows[0].HoldoutSkillLow, 1e-6);
        Assert.Equal(0.02 + 1.965927 * 0.02 / 2.5, rows[0].HoldoutSkillHigh, 1e-6);
        Assert.Equal("< 5e-4", rows[0].ValidationSpaP); // a bootstrap p of 0 is below 1/2,000, never "0"
        Assert.True(double.IsNaN(rows[1].HoldoutSkillLow) && double.IsNaN(rows[1].HoldoutDmP));
        Assert.True(rows.All(r => r.SameFitAsRelease));
        Assert.Equal(0.79, rows[0].ValidationCoverage80); // the card's validation evidence travels with the verdict
    }
}
