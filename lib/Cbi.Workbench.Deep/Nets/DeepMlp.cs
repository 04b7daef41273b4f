using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cbi.Workbench.Deep.Nets;

/// <summary>The seeds' deep MLP: the origin's feature row (the last step of the window) and the known-future inputs of
/// every head, through 512-256-128-64 fully connected layers (scaled by Width) each with batch normalisation (Ioffe &amp;
/// Szegedy 2015, Sec 3), ReLU and dropout (Srivastava et al. 2014), then one linear head per quantile (P10, P50, P90),
/// each giving all K horizons — the multi-horizon direct strategy of Wen et al. 2017 (Sec 3) without the recurrent
/// encoder.</summary>
internal sealed class DeepMlp : QuantileNet
{
    internal override bool UsesBatchStatistics => true;

    readonly Sequential body;
    readonly Linear q10, q50, q90;

    internal static readonly int[] SeedWidths = [512, 256, 128, 64];

    internal DeepMlp(NetShape s) : base("mlp", s)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        var d = s.Channels + s.Heads * s.FutureChannels;
        var i = 0;
        foreach (var w0 in SeedWidths)
        {
            var w = Math.Max(4, (int)Math.Round(w0 * s.Width));
            layers.Add(($"fc{i}", nn.Linear(d, w)));
            layers.Add(($"bn{i}", nn.BatchNorm1d(w)));
            layers.Add(($"relu{i}", nn.ReLU()));
            layers.Add(($"drop{i}", nn.Dropout(s.Dropout)));
            d = w; i++;
        }
        body = nn.Sequential(layers);
        q10 = nn.Linear(d, s.Heads); q50 = nn.Linear(d, s.Heads); q90 = nn.Linear(d, s.Heads);
        RegisterComponents();
    }

    public override Tensor forward(Tensor past, Tensor future)
    {
        var x = cat([past[.., -1, ..], future.flatten(1)], 1);
        var z = body.call(x);
        return Ordered(stack([q10.call(z), q50.call(z), q90.call(z)], -1));
    }
}
