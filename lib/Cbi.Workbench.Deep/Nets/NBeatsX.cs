using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cbi.Workbench.Deep.Nets;

/// <summary>N-BEATSx: N-BEATS (Oreshkin et al. 2020, ICLR) with exogenous variables (Olivares et al. 2023, Int. J.
/// Forecasting 39(2)). The series is the close's scaled daily log return over the window (the backcast). Each block is
/// a stack of fully connected ReLU layers (Oreshkin Sec 3.1) whose input is the current backcast residual together
/// with the exogenous window and the known-future inputs (Olivares Sec 3.2), emitting expansion coefficients θ. Blocks
/// alternate between the generic basis (Oreshkin Sec 3.3, "generic architecture": linear projections of θ to backcast
/// and forecast) and the exogenous basis (Olivares Sec 3.3: the backcast is Σⱼ θᵇⱼ·x_past,j and each quantile's
/// forecast is Σⱼ θᶠⱼ·x_future,j, the covariates themselves serving as basis vectors). Doubly residual stacking
/// (Oreshkin Sec 3.2): each block subtracts its backcast from its input and the forecasts are summed. The forecast
/// has K horizons × 3 quantiles.</summary>
internal sealed class NBeatsX : QuantileNet
{
    const int FcLayers = 4; // Oreshkin et al. use 4 FC layers per block
    readonly ModuleList<Sequential> stacks;
    readonly ModuleList<Linear> backcast, forecast;

    internal NBeatsX(NetShape s) : base("nbeatsx", s)
    {
        stacks = new ModuleList<Sequential>(); backcast = new ModuleList<Linear>(); forecast = new ModuleList<Linear>();
        var exog = s.Channels - 1;
        var input = s.Encoder + s.Encoder * exog + s.Heads * s.FutureChannels;
        for (var b = 0; b < s.Layers; b++)
        {
            var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
            var d = input;
            for (var i = 0; i < FcLayers; i++) { layers.Add(($"fc{i}", nn.Linear(d, s.Hidden))); layers.Add(($"relu{i}", nn.ReLU())); d = s.Hidden; }
            layers.Add(("drop", nn.Dropout(s.Dropout)));
            stacks.Add(nn.Sequential(layers));
            var generic = b % 2 == 0;
            backcast.Add(nn.Linear(s.Hidden, generic ? s.Encoder : exog));
            forecast.Add(nn.Linear(s.Hidden, generic ? s.Heads * 3 : s.FutureChannels * 3));
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor past, Tensor future)
    {
        var residual = past[.., .., 0];                           // [B, L] the series
        var xPast = past[.., .., 1..];                            // [B, L, C−1] exogenous window
        var exogFlat = cat([xPast.flatten(1), future.flatten(1)], 1);
        Tensor? total = null;
        for (var b = 0; b < stacks.Count; b++)
        {
            var h = stacks[b].call(cat([residual, exogFlat], 1));
            Tensor back, fore;
            if (b % 2 == 0)
            {
                back = backcast[b].call(h);
                fore = forecast[b].call(h).view(-1, Shape.Heads, 3);
            }
            else
            {
                back = einsum("blj,bj->bl", xPast, backcast[b].call(h));
                fore = einsum("bkj,bjq->bkq", future, forecast[b].call(h).view(-1, Shape.FutureChannels, 3));
            }
            residual = residual - back;
            total = total is null ? fore : total + fore;
        }
        return Ordered(total!);
    }
}
