using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cbi.Workbench.Deep.Nets;

/// <summary>LSTM encoder (Hochreiter &amp; Schmidhuber 1997) over the window, with scaled dot-product attention
/// (Vaswani et al. 2017, Sec 3.2.1: softmax(QKᵀ/√d)V) of the last hidden state over all encoder states — the
/// attention-over-encoder-states read-out of Luong et al. 2015 (Sec 3.1, "global attention") with the dot-product
/// score scaled by √d. The last state, the attention context and the known-future inputs feed a multi-horizon
/// quantile head (K × 3).</summary>
internal sealed class LstmAttention : QuantileNet
{
    readonly LSTM lstm;
    readonly Linear query, hidden, head;
    readonly Dropout drop;

    internal LstmAttention(NetShape s) : base("lstm_attn", s)
    {
        lstm = nn.LSTM(s.Channels, s.Hidden, numLayers: s.Layers, batchFirst: true, dropout: s.Layers > 1 ? s.Dropout : 0);
        query = nn.Linear(s.Hidden, s.Hidden);
        hidden = nn.Linear(2 * s.Hidden + s.Heads * s.FutureChannels, s.Hidden);
        head = nn.Linear(s.Hidden, s.Heads * 3);
        drop = nn.Dropout(s.Dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor past, Tensor future)
    {
        var (states, _, _) = lstm.call(past);                     // [B, L, H]
        var last = states[.., -1, ..];                            // [B, H]
        var q = query.call(last).unsqueeze(1);                    // [B, 1, H]
        var context = nn.functional.scaled_dot_product_attention(q, states, states).squeeze(1);
        var z = drop.call(nn.functional.relu(hidden.call(cat([last, context, future.flatten(1)], 1))));
        return Ordered(head.call(z).view(-1, Shape.Heads, 3));
    }
}
