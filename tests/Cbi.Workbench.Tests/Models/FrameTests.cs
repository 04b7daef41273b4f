using Cbi.Workbench.Features;
using Cbi.Workbench.Models;
using Cbi.Workbench.Data;
using Cbi.Workbench.Tests.Data;

namespace Cbi.Workbench.Tests.Models;

public class FrameTests
{
    [Fact]
    public void a_target_never_spans_a_hole_in_the_data()
    {
        // Constructed calendar: three weekdays, a 31-day hole, three weekdays. Closes are arbitrary positives.
        var d0 = new DateOnly(2003, 11, 19);
        DateOnly[] dates = [d0, d0.AddDays(1), d0.AddDays(2), d0.AddDays(33), d0.AddDays(34), d0.AddDays(35)];
        var frame = new Frame(dates, [20, 21, 22, 23, 24, 25], [], []);
        Assert.Equal(2, frame.TargetRow(1, 1));
        Assert.Equal(-1, frame.TargetRow(2, 1));            // the next row lies beyond the hole
        Assert.Equal(-1, frame.TargetRow(0, 3));
        Assert.Equal(5, frame.TargetRow(3, 2));
        Assert.True(double.IsNaN(frame.Target(2, 1)));
        Assert.Equal(Math.Log(25.0 / 23.0), frame.Target(3, 2), 15);
    }
}

[Collection("warehouse")]
public class FrameOnRealZlTests(WarehouseFixture wh)
{
    [Fact]
    public void frame_targets_agree_with_the_warehouse_targets_including_the_2003_hole()
    {
        var frame = FeatureBuilder.Build(Snapshot.Load(wh.Path));
        var export = new List<(DateOnly Date, double? Ret)>();
        using (var con = new DuckDB.NET.Data.DuckDBConnection($"DataSource={wh.Path};ACCESS_MODE=READ_ONLY"))
        {
            con.Open();
            using var cmd = con.CreateCommand();
            cmd.CommandText = "SELECT date, ret_fwd_21d FROM zl_targets WHERE date BETWEEN DATE '2003-10-01' AND DATE '2004-01-31' ORDER BY date";
            using var r = cmd.ExecuteReader();
            while (r.Read()) export.Add((r.GetFieldValue<DateOnly>(0), r.IsDBNull(1) ? null : r.GetDouble(1)));
        }
        Assert.Contains(export, e => e.Ret is null); // the rows just before the 2003 hole have no 21-day target
        foreach (var (date, ret) in export)
        {
            var row = Array.IndexOf(frame.Dates, date);
            Assert.True(row >= 0, $"{date} missing from the frame");
            var fromFrame = frame.Target(row, 21);
            if (ret is null) Assert.True(double.IsNaN(fromFrame), $"{date}: warehouse has no 21d target but the frame has {fromFrame}");
            else Assert.Equal(ret.Value, fromFrame, 12);
        }
    }
}
