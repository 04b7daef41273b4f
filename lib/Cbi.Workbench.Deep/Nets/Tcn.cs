using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cbi.Workbench.Deep.Nets;

/// <summary>Temporal convolutional network of Bai, Kolter &amp; Koltun 2018 ("An empirical evaluation of generic
/// convolutional and recurrent networks for sequence modeling"): causal convolutions (Sec 3.1), dilations 1, 2, 4, …
/// per level (Sec 3.2) and residual blocks of two dilated convolutions with ReLU and dropout plus a 1×1 convolution
/// on the skip path when widths differ (Sec 3.3, Fig. 1b). Weight normalisation (also Sec 3.3) is left out: the
/// networks here are shallow and trained with AdamW and gradient clipping. Causality is by left padding only: the
/// input is padded with (k − 1)·d zeros before the first step and none after the last, so the output at step t reads
/// steps ≤ t (a test changes every step after t and checks the output at t). The last step's features and the
/// known-future inputs feed a multi-horizon quantile head (K × 3).</summary>
internal sealed class Tcn : QuantileNet
{
    internal const int Kernel = 3;
    readonly ModuleList<Conv1d> conv1, conv2;
    readonly ModuleList<nn.Module<Tensor, Tensor>> skip;
    readonly Dropout drop;
    readonly Linear head;

    internal Tcn(NetShape s) : base("tcn", s)
    {
        conv1 = new ModuleList<Conv1d>(); conv2 = new ModuleList<Conv1d>(); skip = new ModuleList<nn.Module<Tensor, Tensor>>();
        var cin = s.Channels;
        for (var i = 0; i < s.Layers; i++)
        {
            var d = 1 << i;
            conv1.Add(nn.Conv1d(cin, s.Hidden, Kernel, dilation: d));
            conv2.Add(nn.Conv1d(s.Hidden, s.Hidden, Kernel, dilation: d));
            skip.Add(cin == s.Hidden ? nn.Identity() : nn.Conv1d(cin, s.Hidden, 1));
            cin = s.Hidden;
        }
        drop = nn.Dropout(s.Dropout);
        head = nn.Linear(s.Hidden + s.Heads * s.FutureChannels, s.Heads * 3);
        RegisterComponents();
    }

    /// <summary>Features of every step, [B, Hidden, L]; step t depends on input steps ≤ t only.</summary>
    internal Tensor Features(Tensor past)
    {
        var x = past.transpose(1, 2);                             // [B, C, L]
        for (var i = 0; i < conv1.Count; i++)
        {
            var pad = (Kernel - 1) * (1 << i);
            var h = drop.call(nn.functional.relu(conv1[i].call(nn.functional.pad(x, [pad, 0]))));
            h = drop.call(nn.functional.relu(conv2[i].call(nn.functional.pad(h, [pad, 0]))));
            x = nn.functional.relu(h + skip[i].call(x));
        }
        return x;
    }

    public override Tensor forward(Tensor past, Tensor future)
    {
        var last = Features(past)[.., .., -1];
        return Ordered(head.call(cat([last, future.flatten(1)], 1)).view(-1, Shape.Heads, 3));
    }
}
