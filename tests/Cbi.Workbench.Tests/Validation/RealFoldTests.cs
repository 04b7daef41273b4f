using Cbi.Workbench.Data;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Tests.Data;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Tests.Validation;

/// <summary>Fold layouts on the real ZL development frame (data/raw through the warehouse).</summary>
[Trait("Category", "Slow")]
[Collection("warehouse")]
public class RealFoldTests(WarehouseFixture wh)
{
    [Fact]
    public void the_default_seven_fold_validation_split_keeps_its_fold_boundaries()
    {
        // The layout of the split code before issue 11 (commit a6fe7a5): ⌈n/7⌉ scored rows per fold, the remainder in
        // the last, n the scorable rows of the validation period. The committed smoke predictions were made on these
        // folds; a change here would silently move every stored validation row. (At the data of that commit this gave
        // 126 × 6 + 121 at h = 1 and 125 × 6 + 123 at h = 5; the sessions added since change n, not the rule.)
        var dev = Splits.Development(ModelComparison.PriceFrame(Snapshot.Load(wh.Path).Bars("ZL")));
        foreach (var h in new[] { 1, 5, 21, 63, 126, 252 })
        {
            var folds = Splits.Validation(dev, h, 7);
            var n = folds.Sum(f => f.ScoreRows.Length);
            var c = (n + 6) / 7;
            Assert.Equal([c, c, c, c, c, c, n - 6 * c], folds.Select(f => f.ScoreRows.Length));
            // Blocks are consecutive runs of the scorable rows, so equal sizes over the same scorable rows are equal folds.
            Assert.Equal(folds.SelectMany(f => f.ScoreRows).Order(), folds.SelectMany(f => f.ScoreRows));
        }
    }

    [Fact]
    public void thirty_six_folds_at_five_days_are_24_or_25_rows_each()
    {
        // Issue 11: Splits.Validation(dev, 5, 36) threw "no scored rows left" although 36 folds of 24–25 rows exist
        // (875 scorable rows = 11 × 25 + 25 × 24 on the current sessions; 873 before them).
        var dev = Splits.Development(ModelComparison.PriceFrame(Snapshot.Load(wh.Path).Bars("ZL")));
        var folds = Splits.Validation(dev, 5, 36);
        Assert.Equal(36, folds.Count);
        Assert.Equal(875, folds.Sum(f => f.ScoreRows.Length));
        Assert.All(folds, f => Assert.InRange(f.ScoreRows.Length, 24, 25));
    }
}
