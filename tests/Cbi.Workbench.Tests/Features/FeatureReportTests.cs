using Cbi.Workbench.Features;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Tests.Features;

public class FeatureReportTests
{
    [Fact]
    public void ks_statistic_matches_hand_calculation()
    {
        // ECDFs of {1,2,3,4} and {3,4,5,6}: at x=2 they are 0.5 vs 0, at 3: 0.75 vs 0.25, at 4: 1 vs 0.5,
        // at 5: 1 vs 0.75 → D = 0.5. Disjoint samples give D = 1.
        Assert.Equal(0.5, FeatureReport.KsStatistic([1, 2, 3, 4], [3, 4, 5, 6]), 1e-12);
        Assert.Equal(1.0, FeatureReport.KsStatistic([1, 2, 3], [4, 5, 6]), 1e-12);
        // Q_KS(1.0) = 2(e^−2 − e^−8 + e^−18 − …) = 0.2699996716 (Numerical Recipes, eq. 14.3.7).
        Assert.Equal(0.2699996716, FeatureReport.KolmogorovQ(1.0), 1e-9);
    }

    [Fact]
    public void correlation_uses_only_the_given_rows_and_pairwise_complete_values()
    {
        // Constructed columns: on rows 0–3, b = 2a (r = 1) and c = −a (r = −1); row 4 (not given) would break both.
        DateOnly[] d = [new(2019, 1, 1), new(2019, 1, 2), new(2019, 1, 3), new(2019, 1, 4), new(2019, 1, 7)];
        var f = new Frame(d, new double[5], ["a", "b", "c"],
            [[1, 2, 3, 4, 0], [2, 4, 6, 8, 100], [-1, -2, double.NaN, -4, 50]]);
        var c = FeatureReport.Correlation(f, [0, 1, 2, 3]);
        Assert.Equal(1, c[0, 1], 1e-12);
        Assert.Equal(-1, c[0, 2], 1e-12);
        var cov = FeatureReport.CoverageByYear(f).Single(x => x.Feature == "c");
        Assert.Equal(0.8, cov.Present, 1e-12);
    }
}
