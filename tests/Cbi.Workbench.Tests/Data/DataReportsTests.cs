using Cbi.Workbench.Data;

namespace Cbi.Workbench.Tests.Data;

[Collection("warehouse")]
public class DataReportsTests(WarehouseFixture wh)
{
    [Fact]
    public void quality_table_has_one_row_per_finding()
    {
        var s = Snapshot.Load(wh.Path);
        Assert.Equal(s.Quality.Count, DataReports.QualityTable(s).Rows.Count);
    }

    [Fact]
    public void zl_chart_renders_html_with_the_roll_days()
    {
        var s = Snapshot.Load(wh.Path);
        var html = Plotly.NET.GenericChart.toChartHTML(DataReports.ZlRollChart(s, new DateOnly(2019, 1, 1)));
        Assert.Contains("roll day", html);
    }
}
