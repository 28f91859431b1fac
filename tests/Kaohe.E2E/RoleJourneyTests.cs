using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Kaohe.E2E;

/// <summary>
/// One journey per role, each on a desktop and on a phone (issue 8): the office sets up the next
/// period from the previous one and publishes it; a division scores; a leader scores; a unit reports
/// with evidence and appeals; an assessor inspects offline; a citizen answers a survey; a unit works a
/// rectification item until the office closes it. One app and one browser for the class (the survey
/// fixture: it can issue QR codes), a new browser context per journey.
/// </summary>
public sealed partial class RoleJourneyTests(SurveyBrowserFixture app) : IClassFixture<SurveyBrowserFixture>
{
    private static readonly byte[] Pdf = System.Text.Encoding.ASCII.GetBytes("%PDF-1.4\n% kaohe e2e evidence\n%%EOF\n");
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    private static async Task Show(IPage page, string period)
    {
        await page.SelectOptionAsync("#period", period);
        await page.ClickAsync("form.filters button[type=submit]");
        await page.WaitForSelectorAsync($"#period option[value='{period}'][selected]", new() { State = WaitForSelectorState.Attached });
    }

    /// <summary>The demo quarter the scoring journeys work in: collecting, every unit's data verified.</summary>
    private const string ScoredQuarter = "2023-Q3";

    [GeneratedRegex(@"\d{4}年第[一二三四]季度")]
    private static partial Regex QuarterLabel();

    [Theory]
    [InlineData(Journeys.Desktop)]
    [InlineData(Journeys.Phone)]
    public async Task The_office_sets_up_the_next_period_from_the_previous_one_and_publishes_it(string device)
    {
        const string journey = "office-period";
        var page = await app.SignIn("office", device);
        await Journeys.Nav(page, device, "考核期");
        Assert.Contains("季度考核结果纳入年终考核计分", await page.InnerTextAsync("main"));
        await Journeys.Step(page, journey, device, "1-periods");

        await BrowserFixture.ArriveAsync(page, () => Journeys.Press(page, device, "a:has-text('设置下一考核期')"), "**/Periods/Next");
        // The page proposes the latest quarter with active schemes and says what the next one gets.
        var preview = await page.InnerTextAsync(".period-next-preview");
        var next = QuarterLabel().Match(await page.InnerTextAsync(".period-next-preview h2")).Value;
        Assert.Contains("将创建", preview);
        Assert.NotEqual("", next);
        Assert.Equal("4", (await page.InnerTextAsync("[data-copy=schemes]")).Trim());
        Assert.True(int.Parse((await page.InnerTextAsync("[data-copy=assignments]")).Trim()) > 0);
        // The demo has survey sites only in 2023-Q1: the page says where to set them up instead.
        if ((await page.InnerTextAsync("[data-copy=sites]")).Trim() == "0")
            Assert.Contains("满意度调查 → 调查点", await page.InnerTextAsync("[data-hint=sites]"));
        Assert.True(int.Parse((await page.InnerTextAsync("[data-copy=rules]")).Trim()) > 0);
        Assert.Contains("加扣分规则", preview);
        await Journeys.Step(page, journey, device, "2-preview");

        await BrowserFixture.ArriveAsync(page, () => Journeys.Press(page, device, $"button:has-text('复制并创建{next}')"), "**/Periods");
        Assert.Contains($"{next}已设置", await page.InnerTextAsync(".alert.success"));
        var row = page.Locator("tr", new() { HasTextString = next });
        Assert.Contains("未开始", await row.InnerTextAsync());
        Assert.Equal("4", (await row.Locator("td").Last.InnerTextAsync()).Trim());
        await Journeys.Step(page, journey, device, "3-created");

        // The copied schemes are drafts until the period is published.
        await BrowserFixture.ArriveAsync(page, () => row.Locator("td").Last.Locator("a").ClickAsync(), "**/Schemes?period=*");
        Assert.Equal(4, await page.Locator("tbody tr", new() { HasTextString = "草稿" }).CountAsync());

        await page.GotoAsync(app.BaseUrl + "/Periods");
        row = page.Locator("tr", new() { HasTextString = next });
        var publish = row.Locator("button:has-text('发布考核期')");
        var asked = Journeys.AcceptConfirmations(page);
        if (device == Journeys.Phone) await publish.TapAsync(); else await publish.ClickAsync();
        await Journeys.Sees(page, ".alert.success", $"{next}已发布，开始数据收集");
        Assert.Contains(asked, q => q.Contains("开始数据收集", StringComparison.Ordinal));
        row = page.Locator("tr", new() { HasTextString = next });
        Assert.Contains("数据收集中", await row.InnerTextAsync());
        Assert.Equal(0, await row.Locator("button").CountAsync());
        await Journeys.Step(page, journey, device, "4-published");

        await BrowserFixture.ArriveAsync(page, () => row.Locator("td").Last.Locator("a").ClickAsync(), "**/Schemes?period=*");
        Assert.Equal(4, await page.Locator("tbody tr", new() { HasTextString = "已启用" }).CountAsync());
        Assert.Contains($"{next}地市城管局考核方案", await page.InnerTextAsync("main"));
        await Journeys.Step(page, journey, device, "5-schemes");
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(Journeys.Desktop, "91")]
    [InlineData(Journeys.Phone, "89.5")]
    public async Task A_division_scores_its_assigned_units(string device, string score)
    {
        const string journey = "division-score";
        var page = await app.SignIn("division-scc", device);
        await Journeys.Nav(page, device, "评分");
        // The sheet opens on the newest quarter collecting (2024-Q1 once the office journey opened it); this
        // division scores 2023-Q3, whose units all reported, so it picks it as a person would.
        await Show(page, ScoredQuarter);
        var main = await page.InnerTextAsync("main");
        Assert.Contains("处室评分（多方评）", main);
        Assert.Contains("本表只列出分配给本处室的单位和指标", main);
        Assert.Contains("营商环境评价", main);
        Assert.DoesNotContain("城市管理", await page.InnerTextAsync("main table"));   // only this division's line
        await Journeys.Step(page, journey, device, "1-sheet");

        // A score outside the leaf's range is refused and nothing is saved.
        var cell = "input[name='scores[zj-lasa|B2]']";
        await page.FillAsync(cell, "150");
        await Journeys.Press(page, device, "button:has-text('保存评分')");
        await Journeys.Sees(page, ".alert.error", "B2 营商环境评价：评价分 150 超出 0–100");
        await Journeys.Step(page, journey, device, "2-refused");

        await page.FillAsync(cell, score);
        await Journeys.Press(page, device, "button:has-text('保存评分')");
        await Journeys.Sees(page, ".alert.success", "项评分");
        Assert.Equal(score, await page.InputValueAsync(cell));
        Assert.Contains("未填分数: 0", await page.InnerTextAsync("main"));
        await Journeys.Step(page, journey, device, "3-saved");
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(Journeys.Desktop, "93")]
    [InlineData(Journeys.Phone, "88")]
    public async Task A_leader_rates_every_unit(string device, string rating)
    {
        const string journey = "leader-score";
        var page = await app.SignIn("leader-principal", device);
        await Journeys.Nav(page, device, "领导评价");
        await Show(page, ScoredQuarter);
        var main = await page.InnerTextAsync("main");
        Assert.Contains("厅领导班子总体评价", main);
        Assert.Contains("本人评价权重 50%", main);                // 厅主要领导 and 分管领导 weigh 50% each
        Assert.Contains("自治区建筑科学研究院", main);
        await Journeys.Step(page, journey, device, "1-sheet");

        await page.FillAsync("input[name='scores[bgs]']", "120");
        await Journeys.Press(page, device, "button:has-text('保存评价')");
        await Journeys.Sees(page, ".alert.error", "超出");
        await page.FillAsync("input[name='scores[bgs]']", rating);
        await page.FillAsync("input[name='scores[jky]']", rating);
        await Journeys.Press(page, device, "button:has-text('保存评价')");
        await Journeys.Sees(page, ".alert.success", "个单位的评价");
        Assert.Equal(rating, await page.InputValueAsync("input[name='scores[bgs]']"));
        Assert.Contains("未评价: 0 / 17", await page.InnerTextAsync("main"));
        await Journeys.Step(page, journey, device, "2-saved");
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(Journeys.Desktop, "unit-zj-lasa", "拉萨市住房和城乡建设局")]
    [InlineData(Journeys.Phone, "unit-zj-nyingchi", "林芝市住房和城乡建设局")]
    public async Task A_unit_reports_with_evidence_and_appeals_a_score(string device, string user, string unitName)
    {
        const string journey = "unit-report";
        var period = await app.FreshQuarter();
        var page = await app.SignIn(user, device);
        await Journeys.Nav(page, device, "填报");
        await Show(page, period);
        var main = await page.InnerTextAsync("main");
        Assert.Contains(unitName, main);
        Assert.Contains("投资任务完成率", main);
        Assert.Contains("未填报", main);
        Assert.Contains("先保存数值，再上传佐证材料", main);
        await Journeys.Step(page, journey, device, "1-empty");

        // Every value (and target), saved as a draft.
        var values = await page.EvalOnSelectorAllAsync<string[]>("input[id^='v-']", "els => els.map(e => e.id.substring(2))");
        Assert.NotEmpty(values);
        foreach (var id in values)
        {
            var hasTarget = await page.Locator($"#t-{id.Replace(".", "\\.")}").CountAsync() > 0;
            await page.FillAsync($"#v-{id.Replace(".", "\\.")}", hasTarget ? "15" : "0.95");
            if (hasTarget) await page.FillAsync($"#t-{id.Replace(".", "\\.")}", "18");
        }
        // The base figures (基础数据) of the housing scheme: whole numbers fit both 万元 and 个.
        var measures = await page.EvalOnSelectorAllAsync<string[]>("input[id^='m-']", "els => els.map(e => e.id.substring(2))");
        Assert.NotEmpty(measures);
        foreach (var id in measures) await page.FillAsync($"#m-{id}", "120");
        await Journeys.Press(page, device, "button:has-text('保存草稿')");
        await Journeys.Sees(page, ".alert.success", $"已保存 {values.Length + measures.Length} 项草稿");

        // 佐证材料 for the first indicator.
        var first = page.Locator($"#row-{values[0].Replace(".", "\\.")}");
        await first.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "一季度投资完成情况.pdf", MimeType = "application/pdf", Buffer = Pdf });
        var upload = first.Locator("button:has-text('上传')");
        if (device == Journeys.Phone) await upload.TapAsync(); else await upload.ClickAsync();
        await Journeys.Sees(page, ".alert.success", "已上传佐证材料“一季度投资完成情况.pdf”");
        Assert.Contains("一季度投资完成情况.pdf", await page.Locator($"#row-{values[0].Replace(".", "\\.")}").InnerTextAsync());
        await Journeys.Step(page, journey, device, "2-draft");

        await Journeys.Press(page, device, "button:has-text('提交审核')");
        await Journeys.Sees(page, ".alert.success", $"已提交 {values.Length + measures.Length} 项");
        Assert.Equal(values.Length, await page.Locator(".report-row .tag", new() { HasTextString = "待审核" }).CountAsync());
        Assert.Equal(measures.Length, await page.Locator("#measures .tag", new() { HasTextString = "待审核" }).CountAsync());
        Assert.Equal(0, await page.Locator("input[id^='v-'], input[id^='m-']").CountAsync());   // locked once submitted
        await Journeys.Step(page, journey, device, "3-submitted");

        // 申诉 in the quarter whose review window is open, with a file.
        await Journeys.Nav(page, device, "结果与申诉");
        await page.SelectOptionAsync("#period", "2023-Q2");
        await BrowserFixture.ArriveAsync(page, () => Journeys.Press(page, device, "form.filters button"), "**period=2023-Q2*");
        Assert.Contains("申诉复核期进行中", await page.InnerTextAsync("main"));
        await page.SelectOptionAsync("#indicatorId", "A1");
        var reason = $"第二季度投资完成额漏报一个项目（{device}）";
        await page.FillAsync("#reason", reason);
        await page.SetInputFilesAsync("form.appeal-form input[name=files]", new FilePayload { Name = "漏报项目说明.pdf", MimeType = "application/pdf", Buffer = Pdf });
        await Journeys.Press(page, device, "form.appeal-form button[type=submit]");
        await Journeys.Sees(page, "main", "申诉已提交");
        main = await page.InnerTextAsync("main");
        Assert.Contains("申诉已提交", main);
        Assert.Contains(reason, main);
        Assert.Contains("漏报项目说明.pdf", main);
        await Journeys.Step(page, journey, device, "4-appealed");
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(Journeys.Desktop, "assessor1", "第一考核组")]
    [InlineData(Journeys.Phone, "assessor3", "第三考核组")]
    public async Task An_assessor_records_a_finding_offline_and_it_syncs_when_the_network_returns(string device, string user, string group)
    {
        const string journey = "assessor-offline";
        const float timeout = 20_000;
        var page = await app.SignIn(user, device, o =>
        {
            o.Permissions = ["geolocation"];
            o.Geolocation = new Geolocation { Latitude = 29.6525f, Longitude = 91.1321f, Accuracy = 18 };
        });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await Journeys.Nav(page, device, "实地考核");
        await page.WaitForSelectorAsync("#offline-ready:not([hidden])", new() { Timeout = timeout });
        await page.WaitForSelectorAsync("#sites li", new() { Timeout = timeout });
        Assert.Contains(group, await page.InnerTextAsync("#group-name"));
        Assert.Contains("地市所在地", await page.InnerTextAsync("#sites"));
        await Journeys.Step(page, journey, device, "1-sites");

        await page.Context.SetOfflineAsync(true);
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#sites li", new() { Timeout = timeout });
        Assert.Equal("离线", await page.InnerTextAsync("#net"));
        await Journeys.Press(page, device, "#sites li >> nth=0 >> button");
        var options = await page.EvalOnSelectorAllAsync<string[]>("#indicator option", "os => os.map(o => o.value)");
        await page.SelectOptionAsync("#indicator", options[0]);
        await page.FillAsync("#note", $"果皮箱破损未更换（{device}）");
        await page.SetInputFilesAsync("#photos", new FilePayload { Name = "现场.jpg", MimeType = "image/jpeg", Buffer = Kaohe.Web.Features.Inspections.TinyJpeg.Create(64, 48, device) });
        await Journeys.Press(page, device, "#save");
        await page.WaitForSelectorAsync(".finding[data-state=pending]", new() { Timeout = timeout });
        Assert.Contains("待同步", await page.InnerTextAsync("#findings"));
        await Journeys.Step(page, journey, device, "2-offline");

        await page.Context.SetOfflineAsync(false);
        await page.WaitForFunctionAsync("() => document.querySelectorAll('.finding[data-state=synced]').length === 1 && !document.querySelector('.finding[data-state=pending]')", null, new() { Timeout = timeout });
        Assert.Contains("已同步", await page.InnerTextAsync("#findings"));
        Assert.Contains($"果皮箱破损未更换（{device}）", await page.InnerTextAsync("#findings"));
        await page.WaitForFunctionAsync("() => document.getElementById('site-score').dataset.synced === '1'", null, new() { Timeout = timeout });
        Assert.Contains("当前得分", await page.InnerTextAsync("#site-score"));
        await Journeys.Step(page, journey, device, "3-synced");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(Journeys.Desktop, "LS-2")]
    [InlineData(Journeys.Phone, "NQ-1")]
    public async Task A_citizen_answers_the_survey_from_a_qr_code(string device, string site)
    {
        const string journey = "citizen-survey";
        var code = (await app.IssueCodes(site, 1))[0];
        var page = await app.Open(device);
        await page.GotoAsync($"{app.BaseUrl}/s/{code}");
        Assert.Contains("群众满意度调查表", await page.InnerTextAsync("h1"));
        Assert.Contains("您对园林绿化是否满意？", await page.InnerTextAsync("form"));
        await Journeys.Step(page, journey, device, "1-form");
        var questions = page.Locator("fieldset.sv-q");
        for (var i = 0; i < await questions.CountAsync(); i++)
        {
            var option = questions.Nth(i).Locator("label.sv-opt", new() { HasTextString = "满意" }).First;
            if (device == Journeys.Phone) await option.TapAsync(); else await option.ClickAsync();
        }
        await Journeys.Press(page, device, "button.sv-submit");
        await page.WaitForSelectorAsync("[data-state=thanks]");
        Assert.Contains("提交成功，感谢您的参与！", await page.InnerTextAsync("main"));
        await Journeys.Step(page, journey, device, "2-thanks");
        Assert.NotNull(await app.Stored(code));
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(Journeys.Desktop, "农民工工资专用账户和实名制管理落实不到位")]
    [InlineData(Journeys.Phone, "线上施工许可审批超出承诺时限")]
    public async Task A_unit_works_its_rectification_item_and_the_office_closes_it(string device, string title)
    {
        const string journey = "unit-rectification";
        var unit = await app.SignIn("unit-zj-lasa", device);
        await Journeys.Nav(unit, device, "我的整改");
        Assert.Contains("我的整改事项", await unit.InnerTextAsync("main"));
        Assert.Contains("每个问题明确责任人、时间表、路线图", await unit.InnerTextAsync("main"));
        await Journeys.Step(unit, journey, device, "1-list");
        await Journeys.Press(unit, device, $"text={title}");
        await unit.WaitForSelectorAsync(".rect-summary");
        var itemUrl = unit.Url;
        Assert.Contains("整改中", await unit.InnerTextAsync(".rect-summary"));

        var milestones = await unit.Locator("select[name=milestoneId] option").CountAsync();
        if (milestones > 1) await unit.SelectOptionAsync("select[name=milestoneId]", new SelectOptionValue { Index = milestones - 1 });
        await unit.FillAsync("form:has(input[value=progress]) textarea[name=note]", "已完成全部整改，相关制度已印发");
        await unit.SetInputFilesAsync("form:has(input[value=progress]) input[name=files]", new FilePayload { Name = "整改佐证.png", MimeType = "image/png", Buffer = Png });
        await Journeys.Press(unit, device, "button:has-text('报送进展')");
        await Journeys.Sees(unit, ".rect-timeline", "整改佐证.png");
        await unit.FillAsync("form:has(input[value=submit]) textarea[name=note]", "整改到位，申请销号");
        await Journeys.Press(unit, device, "button:has-text('提交核验')");
        await Journeys.Sees(unit, ".rect-summary", "待核验");
        await Journeys.Step(unit, journey, device, "2-submitted");

        var office = await app.SignIn("office", device);
        await office.GotoAsync(itemUrl);
        var asked = Journeys.AcceptConfirmations(office);
        await Journeys.Press(office, device, "button:has-text('核验销号')");
        await Journeys.Sees(office, ".rect-summary", "已销号");
        Assert.Contains(asked, q => q.Contains("此事项关闭", StringComparison.Ordinal));
        Assert.Contains("核验销号", await office.InnerTextAsync(".rect-timeline"));
        await Journeys.Step(office, journey, device, "3-closed");

        await unit.ReloadAsync();
        Assert.Contains("已销号", await unit.InnerTextAsync(".rect-summary"));
        await Journeys.Step(unit, journey, device, "4-unit-sees-closed");
        await unit.Context.CloseAsync();
        await office.Context.CloseAsync();
    }
}
