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
        // Scored rows per fold of Splits.Validation(dev, h, 7), printed by the split code as it was before issue 11
        // (commit a6fe7a5): ⌈n/7⌉ rows per fold, the remainder in the last. The committed smoke predictions were made
        // on these folds; a change here would silently move every stored validation row.
        var dev = Splits.Development(ModelComparison.PriceFrame(Snapshot.Load(wh.Path).Bars("ZL")));
        (int H, int[] Sizes)[] before =
        [
            (1, [126, 126, 126, 126, 126, 126, 121]),
            (5, [125, 125, 125, 125, 125, 125, 123]),
            (21, [123, 123, 123, 123, 123, 123, 119]),
            (63, [117, 117, 117, 117, 117, 117, 113]),
            (126, [108, 108, 108, 108, 108, 108, 104]),
            (252, [90, 90, 90, 90, 90, 90, 86]),
        ];
        foreach (var (h, sizes) in before)
        {
            var folds = Splits.Validation(dev, h, 7);
            Assert.Equal(sizes, folds.Select(f => f.ScoreRows.Length));
            // Blocks are consecutive runs of the scorable rows, so equal sizes over the same scorable rows are equal folds.
            Assert.Equal(folds.SelectMany(f => f.ScoreRows).Order(), folds.SelectMany(f => f.ScoreRows));
        }
    }

    [Fact]
    public void thirty_six_folds_at_five_days_are_24_or_25_rows_each()
    {
        // Issue 11: Splits.Validation(dev, 5, 36) threw "no scored rows left" although 36 folds of 24–25 rows exist
        // (873 scorable rows = 9 × 25 + 27 × 24).
        var dev = Splits.Development(ModelComparison.PriceFrame(Snapshot.Load(wh.Path).Bars("ZL")));
        var folds = Splits.Validation(dev, 5, 36);
        Assert.Equal(36, folds.Count);
        Assert.Equal(873, folds.Sum(f => f.ScoreRows.Length));
        Assert.All(folds, f => Assert.InRange(f.ScoreRows.Length, 24, 25));
    }
}
