using Cbi.Workbench.Features;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Tests.Features;

public class ScalerTests
{
    static Frame Small()
    {
        // Four rows in 2019 (training) and one in 2024 (holdout). Constructed numbers: this tests the
        // arithmetic of standardisation, not market data.
        DateOnly[] d = [new(2019, 1, 2), new(2019, 1, 3), new(2019, 1, 4), new(2019, 1, 7), new(2024, 1, 2)];
        var close = Enumerable.Repeat(double.NaN, 5).ToArray();
        return new Frame(d, close, ["a", "b", "flat"],
            [[1, 2, 3, double.NaN, 100], [10, 20, 30, 40, 50], [7, 7, 7, 7, 7]]);
    }

    [Fact]
    public void fits_on_training_rows_only_and_keeps_missing_values_missing()
    {
        var f = Small();
        var s = Scaler.Fit(f, [0, 1, 2, 3]);
        // a: mean of 1,2,3 = 2 (NaN ignored), sample σ = 1. The holdout value 100 played no part.
        Assert.Equal(2, s.Means[0], 1e-12); Assert.Equal(1, s.Sigmas[0], 1e-12);
        // b: 10..40, mean 25, sample σ = √(500/3) = 12.909944487.
        Assert.Equal(25, s.Means[1], 1e-12); Assert.Equal(Math.Sqrt(500.0 / 3), s.Sigmas[1], 1e-12);
        Assert.Equal(["flat"], s.Unscaled);
        var t = s.Transform(f);
        Assert.Equal(-1, t.Features[0][0], 1e-12);
        Assert.True(double.IsNaN(t.Features[0][3]));
        Assert.Equal(98, t.Features[0][4], 1e-12);
    }

    [Fact]
    public void a_feature_near_constant_in_training_is_centred_not_divided_by_its_tiny_sigma()
    {
        // Constructed: σ ≈ 1e-9 in training (a stale series), then a move of 0.1 in the holdout row. Dividing by σ would give
        // ≈ 1e8; treated as constant it gives the move itself.
        DateOnly[] d = [new(2019, 1, 2), new(2019, 1, 3), new(2019, 1, 4), new(2019, 1, 7), new(2024, 1, 2)];
        var f = new Frame(d, Enumerable.Repeat(double.NaN, 5).ToArray(), ["stale"], [[1.0, 1.0 + 2e-9, 1.0, 1.0 + 2e-9, 1.1]]);
        var s = Scaler.Fit(f, [0, 1, 2, 3]);
        Assert.Equal(["stale"], s.Unscaled);
        Assert.Equal(1.000000001, s.Means[0], 1e-15);
        Assert.Equal(1, s.Sigmas[0]);
        Assert.Equal(0.1, s.Transform(f).Features[0][4], 1e-8);
    }

    [Fact]
    public void refuses_holdout_rows()
    {
        var e = Assert.Throws<ArgumentException>(() => Scaler.Fit(Small(), [0, 4]));
        Assert.Contains("holdout", e.Message);
    }

    [Fact]
    public void round_trips_through_json_and_locks_the_feature_order()
    {
        var f = Small();
        var path = Path.Combine(Directory.CreateTempSubdirectory("cbi-scaler").FullName, "scaler.json");
        Scaler.Fit(f, [0, 1, 2, 3]).Save(path);
        var s = Scaler.Load(path);
        Assert.Equal(f.FeatureNames, s.FeatureNames);
        Assert.Equal(Scaler.HashOf(f.FeatureNames), s.FeatureHash);
        var swapped = new Frame(f.Dates, f.Close, ["b", "a", "flat"], [f.Features[1], f.Features[0], f.Features[2]]);
        var e = Assert.Throws<ArgumentException>(() => s.Transform(swapped));
        Assert.Contains("'b'", e.Message);

        File.WriteAllText(path, File.ReadAllText(path).Replace("\"a\"", "\"z\""));
        Assert.Throws<InvalidDataException>(() => Scaler.Load(path));
    }
}
