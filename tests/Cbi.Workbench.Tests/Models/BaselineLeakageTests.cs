using Cbi.Workbench.Models;
using MathNet.Numerics.Distributions;

namespace Cbi.Workbench.Tests.Models;

/// <summary>No baseline may read a close after its origin: a forecast from a frame cut at the origin equals the
/// forecast from the full frame (constructed Gaussian random-walk path, fixed seed; exact equality).</summary>
public class BaselineLeakageTests
{
    public static TheoryData<string> Every => new(ModelCatalog.Resolve("baselines").Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Every))]
    public void forecast_is_unchanged_when_every_close_after_the_origin_is_cut_off(string name)
    {
        const int n = 800, h = 5, origin = 700;
        var rng = new Random(11);
        var y = new double[n];
        y[0] = Math.Log(40);
        for (var t = 1; t < n; t++) y[t] = y[t - 1] + 0.012 * Normal.Sample(rng, 0, 1);
        var full = ConstructedSeries.FromLogPrice(y);
        var cut = ConstructedSeries.FromLogPrice(y[..(origin + 1)]);
        // Purged training rows: targets end before the first scored origin 650.
        var train = ConstructedSeries.Range(0, 650 - h);
        var a = ModelCatalog.Get(name).Create(); a.Fit(full, train, h);
        var b = ModelCatalog.Get(name).Create(); b.Fit(cut, train, h);
        Assert.Equal(b.Predict(cut, [origin])[0], a.Predict(full, [origin])[0]);
    }
}
