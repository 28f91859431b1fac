using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Kaohe.Web.Features.Publication;

namespace Kaohe.Web.Tests.Publication;

public class BulletinDocumentTests
{
    private static BulletinContent Sample() => new(
        Issuer: "西藏自治区住房和城乡建设厅",
        DocumentNumber: "藏建考〔2023〕1号",
        Title: "关于2023年第一季度目标责任考核情况的通报",
        Date: new DateOnly(2023, 4, 20),
        Addressees: "各地（市）住房和城乡建设局、城市管理局，厅属各单位、机关各处室",
        Overview: ["全区住建领域第一季度完成投资23.27亿元，完成计划的128%，同比增长189%。"],
        Categories:
        [
            new("地市住建局", [new("地市住建局",
            [
                new(1, "林芝市住房和城乡建设局", 95.125, "优秀", true, false, false),
                new(2, "拉萨市住房和城乡建设局", 93.4, "优秀", true, false, false),
                new(3, "山南市住房和城乡建设局", 88, "良好", false, false, false),
                new(4, "那曲市住房和城乡建设局", 71.2, "合格", false, true, false),
                new(5, "阿里地区住房和城乡建设局", 66.05, "合格", false, true, false),
            ])]),
            new("地市城管局", [
                new("地市综合", [new(1, "拉萨市城市管理局（地市综合）", 91, "优秀", true, false, false), new(2, "昌都市城市管理局（地市综合）", 70, "合格", false, true, false)]),
                new("县城", [new(1, "林芝市所属县城", 90, "优秀", true, false, false), new(2, "日喀则市所属县城", 60, "合格", false, true, true)]),
            ]),
        ],
        GoodPractices: [new("林芝市住建局", "建立“住建领域柔性引进人才组团式援藏”长效机制。")],
        Weaknesses: ["个别重点项目未及时开复工。", "机动车侵占人行道，绿化草木枯死。"],
        Rectification: ["各单位建立问题整改台账，明确责任人、时间表、路线图，确保按期整改到位。"]);

    private static string AllText(byte[] docx)
    {
        using var ms = new MemoryStream(docx);
        using var doc = WordprocessingDocument.Open(ms, false);
        return string.Concat(doc.MainDocumentPart!.Document.Body!.Descendants<Text>().Select(t => t.Text));
    }

    [Fact]
    public void The_bulletin_opens_with_the_OpenXml_SDK_and_names_each_categorys_commended_and_criticised_units()
    {
        var text = AllText(BulletinDocument.Generate(Sample()));
        Assert.Contains("关于2023年第一季度目标责任考核情况的通报", text);
        Assert.Contains("地市住建局：对考核排名靠前的林芝市住房和城乡建设局、拉萨市住房和城乡建设局予以通报表扬", text);
        Assert.Contains("对考核排名靠后的那曲市住房和城乡建设局、阿里地区住房和城乡建设局予以通报批评", text);
        Assert.Contains("地市城管局：对考核排名靠前的拉萨市城市管理局（地市综合）、林芝市所属县城予以通报表扬", text);
        Assert.Contains("日喀则市所属县城因发生重大事故实行年度考核“一票否决”", text);
        Assert.Contains("2023年4月20日", text);
    }

    [Fact]
    public void Ranking_tables_show_totals_rounded_half_away_from_zero_in_rank_order()
    {
        using var ms = new MemoryStream(BulletinDocument.Generate(Sample()));
        using var doc = WordprocessingDocument.Open(ms, false);
        var first = doc.MainDocumentPart!.Document.Body!.Descendants<Table>().First();
        var rows = first.Descendants<TableRow>().Select(r => r.Descendants<TableCell>().Select(c => c.InnerText).ToArray()).ToArray();
        Assert.Equal(["名次", "单位", "得分", "等次", "备注"], rows[0]);
        Assert.Equal(["1", "林芝市住房和城乡建设局", "95.13", "优秀", "通报表扬"], rows[1]);
        Assert.Equal("66.05", rows[5][2]);
        Assert.Equal(3, doc.MainDocumentPart.Document.Body.Descendants<Table>().Count()); // one per ranking group
    }

    [Fact]
    public void The_layout_follows_the_official_document_standard()
    {
        using var ms = new MemoryStream(BulletinDocument.Generate(Sample()));
        using var doc = WordprocessingDocument.Open(ms, false);
        var body = doc.MainDocumentPart!.Document.Body!;
        var margins = body.Descendants<PageMargin>().Single();
        Assert.Equal(2098, margins.Top!.Value);      // 37 mm
        Assert.Equal(1588U, margins.Left!.Value);    // 28 mm
        var issuer = body.Elements<Paragraph>().First();
        Assert.Equal("C00000", issuer.Descendants<Color>().Single().Val!.Value);
        var bodyFonts = body.Descendants<RunFonts>().Select(f => f.EastAsia!.Value).Distinct().ToArray();
        Assert.Contains("仿宋_GB2312", bodyFonts);
        Assert.Contains("黑体", bodyFonts);
    }
}
