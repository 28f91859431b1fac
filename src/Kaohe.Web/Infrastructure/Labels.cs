using Kaohe.Data;
using Kaohe.Scoring;
using Kaohe.Web.Features.Collection;
using Kaohe.Web.Features.Jobs;
using Kaohe.Web.Features.Publication;
using Kaohe.Web.Features.Rectification;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Surveys;

namespace Kaohe.Web.Infrastructure;

/// <summary>
/// The words people see for the model's codes, in the seed's terms: statuses, roles, raters, methods, sources,
/// audit actions and their fields, rectification states and events, job kinds. One place, so that a code shows
/// the same words on every page, export and audit entry. A label with <c>bool? english</c> takes <c>false</c>
/// where the output is Chinese whatever the reader's language (the .xlsx ledger, the seed's account list).
/// </summary>
public static class Labels
{
    public static string Of(PeriodStatus s) => s switch
    {
        PeriodStatus.Planned => Ui.T("未开始", "planned"),
        PeriodStatus.Collecting => Ui.T("数据收集中", "collecting data"),
        PeriodStatus.Review => Ui.T("申诉复核中", "under review"),
        _ => Ui.T("已公布", "published"),
    };

    public static string Of(FactStatus s) => s switch
    {
        FactStatus.Draft => Ui.T("草稿", "draft"),
        FactStatus.Submitted => Ui.T("已提交", "submitted"),
        FactStatus.Verified => Ui.T("已核验", "verified"),
        _ => Ui.T("已退回", "returned"),
    };

    public static string Of(FactKind k) => k switch
    {
        FactKind.Value => Ui.T("数值", "value"),
        FactKind.RaterScore => Ui.T("评分", "rating"),
        FactKind.Finding => Ui.T("扣分问题", "finding"),
        FactKind.SurveyTally => Ui.T("问卷统计", "survey tally"),
        FactKind.Adjustment => Ui.T("加扣分", "adjustment"),
        FactKind.Measure => Ui.T("基础数据", "base figure"),
        _ => Ui.T("一票否决", "veto"),
    };

    public static string Source(string source) => source switch
    {
        FactSources.Report => Ui.T("单位填报", "unit report"),
        FactSources.Division => Ui.T("处室评分", "division"),
        FactSources.Leader => Ui.T("厅领导评分", "leader"),
        FactSources.Inspection => Ui.T("实地考核", "inspection"),
        FactSources.Survey => Ui.T("满意度调查", "survey"),
        FactSources.Platform => Ui.T("平台数据", "platform"),
        FactSources.Office => Ui.T("考核办", "office"),
        FactSources.TargetLetter => Ui.T("目标责任书", "target letter"),
        FactSources.KeyTask => Ui.T("重点工作任务", "key tasks"),
        _ => source,
    };

    /// <summary>
    /// A rater of a 多方评分 leaf or of the leadership evaluation, by name: the two leaders, a division (by the unit names
    /// given), or a rater named after a source (the generator's "inspection"). An id nothing names stays as it is.
    /// </summary>
    public static string Rater(string id, IReadOnlyDictionary<string, string>? unitNames = null) => id switch
    {
        "principal" => Ui.T("厅主要领导", "principal leader"),
        "in-charge" => Ui.T("分管厅领导", "leader in charge"),
        _ when unitNames?.TryGetValue(id, out var name) == true => name,
        _ => Source(id),
    };

    /// <summary>
    /// What a fact holds, in words instead of its stored JSON (issue 18 item 5): "83.9（目标 90）", "满意 144、不满意 26",
    /// "+2 分：受住房和城乡建设部通报表扬", a finding's note.
    /// </summary>
    public static string Payload(string json)
    {
        var p = FactPayload.Parse(json);
        var parts = new List<string>();
        static string N(double v) => v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
        if (p.Value is { } v) parts.Add(p.Target is { } t ? N(v) + Ui.T($"（目标 {N(t)}）", $" (target {N(t)})") : N(v));
        else if (p.Target is { } t) parts.Add(Ui.T($"目标 {N(t)}", $"target {N(t)}"));
        if (p.Counts is { Count: > 0 } c) parts.Add(string.Join(Ui.T("、", ", "), c.Select(kv => $"{kv.Key} {N(kv.Value)}")));
        if (p.Points is { } pts) parts.Add((pts > 0 ? "+" : "") + N(pts) + Ui.T(" 分", " points"));
        if (p.Reason is { Length: > 0 } r) parts.Add(r);
        if (p.Note is { Length: > 0 } note) parts.Add(note);
        return parts.Count == 0 ? "—" : string.Join(Ui.T("：", ": "), parts);
    }

    // ---------------------------------------------------------------- audit trail

    /// <summary>
    /// Every action code the audit trail is written with, and what it means to an assessment official.
    /// One table: the audit page, its filter and the test that fails on an action written anywhere in
    /// src without a label (<c>AuditLabelTests</c>) read it.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (string Zh, string En)> AuditActions = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        ["account.change-password"] = ("修改密码", "Changed password"),
        ["account.create"] = ("创建账号", "Created account"),
        ["account.disable"] = ("停用账号", "Disabled account"),
        ["account.enable"] = ("启用账号", "Enabled account"),
        ["account.reset-password"] = ("重置密码", "Reset password"),
        ["account.unlock"] = ("解除登录锁定", "Unlocked sign-in"),
        ["adjustment.approve"] = ("批准加扣分", "Approved adjustment"),
        ["adjustment.record"] = ("登记加扣分", "Recorded adjustment"),
        ["adjustment.rules"] = ("设置加扣分规则", "Set adjustment rules"),
        ["annual.setting"] = ("设置年度考核", "Set annual assessment"),
        ["annual.weights"] = ("设置年度权重", "Set annual weights"),
        ["apikey.create"] = ("创建接口密钥", "Created API key"),
        ["apikey.revoke"] = ("吊销接口密钥", "Revoked API key"),
        ["appeal.accept"] = ("采纳申诉", "Accepted appeal"),
        ["appeal.reject"] = ("驳回申诉", "Rejected appeal"),
        ["appeal.submit"] = ("提出申诉", "Submitted appeal"),
        ["assignment.add"] = ("分配评分任务", "Assigned scoring"),
        ["assignment.remove"] = ("取消评分任务", "Removed scoring assignment"),
        ["bulletin.narrative"] = ("编辑通报文字", "Edited bulletin text"),
        ["cause-analysis.submit"] = ("提交原因分析", "Submitted cause analysis"),
        ["comment.add"] = ("添加领导点评", "Added leader comment"),
        ["dataset.generate"] = ("生成数据集", "Generated dataset"),
        ["demo.annual"] = ("载入演示年度数据", "Loaded demo annual data"),
        ["demo.collection"] = ("载入演示采集数据", "Loaded demo collection"),
        ["demo.load"] = ("载入演示数据", "Loaded demo data"),
        ["demo.quarter"] = ("载入演示季度数据", "Loaded demo quarter"),
        ["demo.rectification"] = ("载入演示整改数据", "Loaded demo rectification"),
        ["demo.targets"] = ("载入演示目标责任书", "Loaded demo target letters"),
        ["division.score"] = ("处室评分", "Division scored"),
        ["fact.correct"] = ("更正数据", "Corrected value"),
        ["fact.create"] = ("录入数据", "Recorded value"),
        ["facts.import"] = ("导入数据", "Imported values"),
        ["inspection-groups.change"] = ("调整考核组", "Changed inspection groups"),
        ["inspection-groups.form"] = ("组建考核组", "Formed inspection groups"),
        ["inspection.finding"] = ("记录实地考核问题", "Recorded inspection finding"),
        ["inspection.photo"] = ("上传实地考核照片", "Uploaded inspection photo"),
        ["inspector.add"] = ("添加考核人员", "Added inspector"),
        ["inspector.link"] = ("关联考核人员账号", "Linked inspector account"),
        ["inspector.roster"] = ("载入考核人员名册", "Loaded inspector roster"),
        ["job.failed"] = ("后台任务失败", "Job failed"),
        ["job.orphaned"] = ("后台任务中断", "Job interrupted"),
        ["job.result"] = ("保存任务结果", "Stored job result"),
        ["job.start"] = ("启动后台任务", "Started job"),
        ["job.succeeded"] = ("后台任务完成", "Job finished"),
        ["job.upload"] = ("上传任务文件", "Uploaded job file"),
        ["leader.score"] = ("厅领导评分", "Leader scored"),
        ["milestone.assess"] = ("评定重点任务完成情况", "Assessed key task"),
        ["period.copy"] = ("复制考核期", "Copied period"),
        ["period.create"] = ("创建考核期", "Created period"),
        ["period.deadline"] = ("修改报送截止日期", "Changed report deadline"),
        ["period.publish"] = ("发布考核期", "Opened period"),
        ["platform.batch"] = ("平台批量报送", "Platform batch"),
        ["practice.curate"] = ("收录经验做法", "Curated practice"),
        ["practice.decline"] = ("不予收录经验做法", "Declined practice"),
        ["practice.submit"] = ("提交经验做法", "Submitted practice"),
        ["rectification.create"] = ("录入整改事项", "Created rectification item"),
        ["rectification.merge"] = ("合并整改事项", "Merged rectification items"),
        ["rectification.milestone"] = ("添加整改节点", "Added milestone"),
        ["rectification.open"] = ("下达整改事项", "Opened rectification item"),
        ["rectification.overdue-deduction"] = ("整改逾期扣分", "Overdue rectification deduction"),
        ["rectification.plan"] = ("制定整改方案", "Planned rectification"),
        ["rectification.policy"] = ("设置整改扣分规则", "Set rectification policy"),
        ["rectification.progress"] = ("报送整改进展", "Reported progress"),
        ["rectification.raise"] = ("生成整改事项", "Raised rectification item"),
        ["rectification.reinspect"] = ("上传复查照片", "Uploaded re-inspection photo"),
        ["rectification.reopen"] = ("重新打开整改事项", "Reopened item"),
        ["rectification.return"] = ("退回整改", "Returned item"),
        ["rectification.split"] = ("拆分整改事项", "Split item"),
        ["rectification.start"] = ("开始整改", "Started rectification"),
        ["rectification.submit"] = ("提交整改核验", "Submitted for verification"),
        ["rectification.verify"] = ("核验销号", "Verified and closed"),
        ["report.draft"] = ("保存填报数据", "Saved report value"),
        ["report.evidence"] = ("上传佐证材料", "Uploaded evidence"),
        ["report.return"] = ("退回数据", "Returned value"),
        ["report.submit"] = ("提交填报数据", "Submitted report"),
        ["report.supersede"] = ("数据被新数据取代", "Value superseded"),
        ["report.verify"] = ("核验数据", "Verified value"),
        ["review.close"] = ("结束申诉复核", "Closed review"),
        ["review.open"] = ("开始申诉复核", "Opened review"),
        ["review.skip"] = ("不设申诉复核期", "Skipped review"),
        ["robustness.bounds"] = ("设置稳健性分析范围", "Set robustness bounds"),
        ["sampling.draw"] = ("抽取实地考核对象", "Drew inspection sample"),
        ["scheme.activate"] = ("启用考核方案", "Activated scheme"),
        ["scheme.archive"] = ("归档考核方案", "Archived scheme"),
        ["scheme.clone"] = ("复制考核方案", "Cloned scheme"),
        ["scheme.create"] = ("创建考核方案", "Created scheme"),
        ["scheme.edit"] = ("修改考核方案", "Edited scheme"),
        ["scheme.version"] = ("新建考核方案版本", "New scheme version"),
        ["scoring.close"] = ("截止评分", "Closed scoring"),
        ["sessions.end"] = ("结束登录会话", "Ended sessions"),
        ["signin.lock"] = ("锁定登录", "Locked sign-in"),
        ["snapshot.correct"] = ("更正已公布结果", "Corrected published results"),
        ["snapshot.publish"] = ("公布结果", "Published results"),
        ["survey.demo"] = ("载入演示问卷", "Loaded demo survey"),
        ["survey.issue"] = ("发放问卷", "Issued survey batch"),
        ["survey.paper"] = ("录入纸质问卷", "Entered paper survey"),
        ["survey.paper-import"] = ("导入纸质问卷", "Imported paper surveys"),
        ["survey.print"] = ("打印问卷", "Printed survey batch"),
        ["survey.questionnaire"] = ("修改问卷", "Edited questionnaire"),
        ["survey.quota"] = ("修改调查配额", "Changed survey quota"),
        ["survey.respond"] = ("提交问卷", "Survey answered"),
        ["survey.site-add"] = ("添加调查点", "Added survey site"),
        ["survey.tally"] = ("统计问卷结果", "Tallied survey"),
        ["target.acknowledge"] = ("签收目标责任书", "Acknowledged target letter"),
        ["target.change.approve"] = ("批准目标变更", "Approved target change"),
        ["target.change.reject"] = ("驳回目标变更", "Rejected target change"),
        ["target.change.request"] = ("申请目标变更", "Requested target change"),
        ["target.issue"] = ("下达目标责任书", "Issued target letter"),
        ["target.save"] = ("保存目标责任书", "Saved target letter"),
        ["target.write"] = ("写入季度目标", "Wrote quarterly targets"),
        ["veto.approve"] = ("批准一票否决", "Approved veto"),
        ["veto.reject"] = ("驳回一票否决", "Rejected veto"),
        ["veto.request"] = ("提出一票否决", "Requested veto"),
        ["whatif.create"] = ("创建模拟方案", "Created what-if"),
        ["whatif.edit"] = ("修改模拟方案", "Edited what-if"),
        ["whatif.save-as-version"] = ("模拟方案存为新版本", "Saved what-if as version"),
    };

    /// <summary>The fields of audit values (the JSON the trail stores) in words, matched whatever their case.</summary>
    public static readonly IReadOnlyDictionary<string, (string Zh, string En)> AuditFields = new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase)
    {
        ["acknowledgedBy"] = ("签收人", "acknowledged by"),
        ["added"] = ("新增", "added"),
        ["address"] = ("地址", "address"),
        ["addresses"] = ("地址", "addresses"),
        ["adjustmentEvent"] = ("加扣分事项", "adjustment"),
        ["algorithm"] = ("抽样算法", "algorithm"),
        ["answers"] = ("答案", "answers"),
        ["assignments"] = ("分工", "assignments"),
        ["author"] = ("填报人", "author"),
        ["awaiting"] = ("待报送", "awaiting"),
        ["baseScheme"] = ("基础方案", "base scheme"),
        ["cap"] = ("扣分上限", "cap"),
        ["categories"] = ("考核类别", "categories"),
        ["category"] = ("考核类别", "category"),
        ["change"] = ("变更", "change"),
        ["clientId"] = ("客户端编号", "client id"),
        ["closedAt"] = ("销号时间", "closed at"),
        ["closedBy"] = ("销号人", "closed by"),
        ["closesOn"] = ("截止日期", "closes on"),
        ["code"] = ("编码", "code"),
        ["commitments"] = ("整改承诺", "commitments"),
        ["copiedFrom"] = ("复制自", "copied from"),
        ["count"] = ("数量", "count"),
        ["deadline"] = ("期限", "deadline"),
        ["demo"] = ("演示数据", "demo"),
        ["disabled"] = ("已停用", "disabled"),
        ["documentNumber"] = ("文号", "document number"),
        ["draft"] = ("草稿", "draft"),
        ["draw"] = ("抽样", "draw"),
        ["drawn"] = ("抽中", "drawn"),
        ["due"] = ("期限", "due"),
        ["enabled"] = ("启用", "enabled"),
        ["ended"] = ("结束的会话", "sessions ended"),
        ["error"] = ("错误", "error"),
        ["evidence"] = ("佐证材料", "evidence"),
        ["fact"] = ("数据", "value"),
        ["factId"] = ("数据", "value"),
        ["facts"] = ("数据", "values"),
        ["fileName"] = ("文件名", "file name"),
        ["first"] = ("首个", "first"),
        ["firstSerial"] = ("起始编号", "first serial"),
        ["from"] = ("来源", "from"),
        ["fromVersion"] = ("原版本", "from version"),
        ["goodPractices"] = ("经验做法", "good practices"),
        ["group"] = ("考核组", "group"),
        ["groups"] = ("考核组", "groups"),
        ["id"] = ("编号", "id"),
        ["idempotencyKey"] = ("幂等键", "idempotency key"),
        ["indicatorId"] = ("指标", "indicator"),
        ["indicators"] = ("指标", "indicators"),
        ["inputSha256"] = ("输入校验值", "input hash"),
        ["items"] = ("事项", "items"),
        ["job"] = ("后台任务", "job"),
        ["key"] = ("编号", "key"),
        ["kind"] = ("类型", "kind"),
        ["known"] = ("账号存在", "known account"),
        ["late"] = ("逾期", "late"),
        ["leadership"] = ("领导班子评价权重", "leadership weight"),
        ["letters"] = ("目标责任书", "letters"),
        ["lockoutEnd"] = ("锁定至", "locked until"),
        ["members"] = ("成员", "members"),
        ["mergedInto"] = ("合并入", "merged into"),
        ["message"] = ("消息", "message"),
        ["milestone"] = ("节点", "milestone"),
        ["name"] = ("名称", "name"),
        ["newValue"] = ("新值", "new value"),
        ["next"] = ("下一考核期", "next period"),
        ["officials"] = ("考核人员", "officials"),
        ["oldStatus"] = ("原状态", "old status"),
        ["opensOn"] = ("开始日期", "opens on"),
        ["outcome"] = ("完成情况", "outcome"),
        ["overview"] = ("总体情况", "overview"),
        ["owner"] = ("发起人", "owner"),
        ["paper"] = ("纸质问卷", "paper"),
        ["parts"] = ("拆分为", "parts"),
        ["perSheet"] = ("每张份数", "per sheet"),
        ["period"] = ("考核期", "period"),
        ["periodId"] = ("考核期", "period"),
        ["periods"] = ("考核期", "periods"),
        ["photoClientId"] = ("照片编号", "photo id"),
        ["photos"] = ("照片", "photos"),
        ["place"] = ("地点", "place"),
        ["played"] = ("演示步骤", "played"),
        ["points"] = ("分值", "points"),
        ["pointsPerItem"] = ("每项扣分", "points per item"),
        ["prefectures"] = ("地市", "prefectures"),
        ["prefix"] = ("前缀", "prefix"),
        ["problem"] = ("问题", "problem"),
        ["q1"] = ("第一季度权重", "Q1 weight"),
        ["q2"] = ("第二季度权重", "Q2 weight"),
        ["q3"] = ("第三季度权重", "Q3 weight"),
        ["q4"] = ("第四季度权重", "Q4 weight"),
        ["quarter"] = ("季度", "quarter"),
        ["quarters"] = ("季度", "quarters"),
        ["quota"] = ("配额", "quota"),
        ["rater"] = ("评价人", "rater"),
        ["reason"] = ("理由", "reason"),
        ["records"] = ("记录数", "records"),
        ["rectification"] = ("整改", "rectification"),
        ["recurrenceOf"] = ("重复发生于", "recurrence of"),
        ["reportDeadline"] = ("报送截止日期", "report deadline"),
        ["reports"] = ("填报", "reports"),
        ["requiresReinspection"] = ("须复查", "requires re-inspection"),
        ["responsiblePerson"] = ("责任人", "responsible person"),
        ["resultAttachmentId"] = ("结果文件", "result file"),
        ["resultSha256"] = ("结果校验值", "result hash"),
        ["returned"] = ("已退回", "returned"),
        ["revision"] = ("修订", "revision"),
        ["role"] = ("角色", "role"),
        ["rule"] = ("规则", "rule"),
        ["scheme"] = ("考核方案", "scheme"),
        ["seed"] = ("随机种子", "seed"),
        ["sessionsEnded"] = ("结束的会话", "sessions ended"),
        ["severity"] = ("问题等级", "severity"),
        ["sha256"] = ("校验值", "hash"),
        ["sheet"] = ("工作表", "sheet"),
        ["sheets"] = ("工作表", "sheets"),
        ["site"] = ("调查点", "site"),
        ["siteId"] = ("考核点", "site"),
        ["sites"] = ("调查点", "sites"),
        ["size"] = ("大小（字节）", "size (bytes)"),
        ["source"] = ("来源", "source"),
        ["sourceKind"] = ("问题来源", "source"),
        ["sourceRef"] = ("来源编号", "source ref"),
        ["state"] = ("状态", "state"),
        ["status"] = ("状态", "status"),
        ["superseded"] = ("被取代", "superseded"),
        ["tags"] = ("标签", "tags"),
        ["target"] = ("目标值", "target"),
        ["task"] = ("重点任务", "task"),
        ["tasks"] = ("重点任务", "tasks"),
        ["text"] = ("内容", "text"),
        ["title"] = ("标题", "title"),
        ["unit"] = ("单位", "unit"),
        ["unitId"] = ("单位", "unit"),
        ["units"] = ("单位", "units"),
        ["until"] = ("锁定至", "until"),
        ["userName"] = ("账号", "account"),
        ["value"] = ("数值", "value"),
        ["verified"] = ("已核验", "verified"),
        ["version"] = ("版本", "version"),
        ["veto"] = ("一票否决", "veto"),
        ["weaknesses"] = ("存在问题", "weaknesses"),
        ["web"] = ("网上问卷", "web"),
        ["window"] = ("时段", "window"),
        ["withdraw"] = ("撤回", "withdraw"),
        ["year"] = ("年度", "year"),
        ["score"] = ("评分", "score"),
        ["counts"] = ("票数", "counts"),
        ["findings"] = ("扣分问题", "findings"),
    };

    /// <summary>An audit action for people; a code without a label (the test keeps that from happening) shows as "其他操作".</summary>
    public static string AuditAction(string code) =>
        AuditActions.TryGetValue(code, out var l) ? Ui.T(l.Zh, l.En) : Ui.T("其他操作", "Other action");

    /// <summary>What an audit entry's entity type is, in words.</summary>
    public static string AuditEntity(string type) => type switch
    {
        "adjustment" => Ui.T("加扣分事项", "adjustment"),
        "annual" => Ui.T("年度考核", "annual assessment"),
        "apikey" => Ui.T("接口密钥", "API key"),
        "appeal" => Ui.T("申诉", "appeal"),
        "assignment" => Ui.T("评分分工", "assignment"),
        "attachment" => Ui.T("附件", "attachment"),
        "cause-analysis" => Ui.T("原因分析", "cause analysis"),
        "database" or "Dataset" => Ui.T("数据库", "database"),
        "fact" => Ui.T("数据", "value"),
        "inspection-finding" => Ui.T("实地考核问题", "inspection finding"),
        "inspector" => Ui.T("考核人员", "inspector"),
        "job" => Ui.T("后台任务", "job"),
        "leader-comment" => Ui.T("领导点评", "leader comment"),
        "period" => Ui.T("考核期", "period"),
        "practice" => Ui.T("经验做法", "practice"),
        "rectification" => Ui.T("整改事项", "rectification item"),
        "rectification-policy" => Ui.T("整改扣分规则", "rectification policy"),
        "sampling-draw" => Ui.T("抽样", "sample draw"),
        "scheme" => Ui.T("考核方案", "scheme"),
        "snapshot" => Ui.T("公布结果", "published results"),
        "survey-batch" => Ui.T("问卷批次", "survey batch"),
        "survey-questionnaire" => Ui.T("问卷", "questionnaire"),
        "survey-response" => Ui.T("答卷", "survey response"),
        "survey-site" => Ui.T("调查点", "survey site"),
        "target-letter" => Ui.T("目标责任书", "target letter"),
        "user" => Ui.T("账号", "account"),
        "whatif" => Ui.T("模拟方案", "what-if"),
        _ => Ui.T("其他", "other"),
    };

    /// <summary>
    /// A status stored by its enum name (as the audit trail stores it), in words: which enum depends on
    /// the entity, e.g. "Pending" is 待处理 for an appeal and 待审批 for an adjustment.
    /// </summary>
    public static string? Status(string entityType, string name) => entityType switch
    {
        "fact" when Enum.TryParse<FactStatus>(name, out var s) => Of(s),
        "period" when Enum.TryParse<PeriodStatus>(name, out var s) => Of(s),
        "scheme" when Enum.TryParse<SchemeStatus>(name, out var s) => Of(s),
        "appeal" when Enum.TryParse<AppealStatus>(name, out var s) => Of(s),
        "adjustment" when Enum.TryParse<AdjustmentEventStatus>(name, out var s) => Of(s),
        "target-letter" when Enum.TryParse<TargetLetterStatus>(name, out var s) => Of(s),
        "rectification" when Enum.TryParse<ItemStatus>(name, out var s) => Of(s),
        "rectification" => DemoItemState(name),
        "job" when Enum.TryParse<JobStatus>(name, out var s) => Of(s),
        "practice" when Enum.TryParse<PracticeStatus>(name, out var s) => Of(s),
        _ => null,
    };

    public static string Of(SchemeStatus s) => s switch
    {
        SchemeStatus.Draft => Ui.T("草稿", "draft"),
        SchemeStatus.Active => Ui.T("已启用", "active"),
        _ => Ui.T("已归档", "archived"),
    };

    public static string Of(AppealStatus s) => s switch
    {
        AppealStatus.Pending => Ui.T("待处理", "pending"),
        AppealStatus.Accepted => Ui.T("已采纳", "accepted"),
        _ => Ui.T("已驳回", "rejected"),
    };

    public static string Of(AdjustmentEventStatus s) => s switch
    {
        AdjustmentEventStatus.Pending => Ui.T("待审批", "pending"),
        AdjustmentEventStatus.Approved => Ui.T("已批准", "approved"),
        _ => Ui.T("已驳回", "rejected"),
    };

    public static string Of(TargetLetterStatus s) => s switch
    {
        TargetLetterStatus.Draft => Ui.T("草稿", "draft"),
        TargetLetterStatus.Issued => Ui.T("已下达", "issued"),
        TargetLetterStatus.Acknowledged => Ui.T("已签收", "acknowledged"),
        _ => Ui.T("变更待审批", "change pending"),
    };

    // ---------------------------------------------------------------- rectification (问题整改)
    // The .xlsx ledger and the bulletin are Chinese whatever the reader's language: they pass english: false.

    private static string T(bool? english, string zh, string en) => english ?? Ui.IsEnglish ? en : zh;

    public static string Of(ItemStatus s, bool? english = null) => s switch
    {
        ItemStatus.Open => T(english, "待整改", "open"),
        ItemStatus.InProgress => T(english, "整改中", "in progress"),
        ItemStatus.SubmittedForVerification => T(english, "待核验", "awaiting verification"),
        ItemStatus.Closed => T(english, "已销号", "verified closed"),
        ItemStatus.Merged => T(english, "已合并", "merged"),
        _ => s.ToString(),
    };

    public static string ItemSource(string s, bool? english = null) => s switch
    {
        ItemSources.Deduction => T(english, "扣分问题", "deduction"),
        ItemSources.Inspection => T(english, "实地考核问题", "inspection finding"),
        ItemSources.Ranking => T(english, "通报批评", "criticised ranking"),
        ItemSources.Manual => T(english, "考核办录入", "entered by the office"),
        ItemSources.Split => T(english, "拆分", "split"),
        ItemSources.Criticism => T(english, "剖析原因承诺", "cause analysis commitment"),
        _ => s,
    };

    public static string Severity(string s, bool? english = null) => s switch
    {
        Severities.General => T(english, "一般", "general"),
        Severities.Serious => T(english, "较重", "serious"),
        Severities.Major => T(english, "严重", "major"),
        _ => s,
    };

    public static string Of(DeadlineState s, bool? english = null) => s switch
    {
        DeadlineState.OnTrack => T(english, "正常推进", "on track"),
        DeadlineState.DueSoon => T(english, "即将到期", "due soon"),
        DeadlineState.Overdue => T(english, "已逾期", "overdue"),
        DeadlineState.ClosedOnTime => T(english, "按期销号", "closed on time"),
        _ => T(english, "逾期销号", "closed late"),
    };

    /// <summary>A step in an item's history (<c>RectificationEvent.Kind</c>).</summary>
    public static string RectificationEvent(string kind) => kind switch
    {
        "raise" => Ui.T("生成", "raised"),
        "plan" => Ui.T("明确责任人和时限", "planned"),
        "milestone" => Ui.T("编制路线图", "milestone added"),
        "start" => Ui.T("开始整改", "started"),
        "progress" => Ui.T("报送进展", "progress"),
        "submit" => Ui.T("提交核验", "submitted"),
        "return" => Ui.T("退回", "returned"),
        "verify" => Ui.T("核验销号", "verified closed"),
        "reopen" => Ui.T("重新打开", "reopened"),
        "reinspect" => Ui.T("考核组复查", "re-inspected"),
        "merge" => Ui.T("合并", "merged"),
        "split" => Ui.T("拆分", "split"),
        _ => kind,
    };

    /// <summary>The states the demo plays rectification items into (RectificationDemo), for its audit entries.</summary>
    private static string? DemoItemState(string state) => state switch
    {
        "open" => Ui.T("待整改", "open"),
        "progress" => Ui.T("整改中", "in progress"),
        "submitted" => Ui.T("待核验", "awaiting verification"),
        "returned" => Ui.T("已退回", "returned"),
        "closed" => Ui.T("按期销号", "closed on time"),
        "late" => Ui.T("逾期销号", "closed late"),
        "overdue" => Ui.T("已逾期", "overdue"),
        _ => null,
    };

    public static string Of(JobStatus s) => s switch
    {
        JobStatus.Queued => Ui.T("排队中", "Queued"),
        JobStatus.Running => Ui.T("进行中", "Running"),
        JobStatus.Succeeded => Ui.T("已完成", "Done"),
        _ => Ui.T("失败", "Failed"),
    };

    public static string Of(PracticeStatus s) => s switch
    {
        PracticeStatus.Submitted => Ui.T("待审核", "awaiting curation"),
        PracticeStatus.Curated => Ui.T("已入库", "in the library"),
        _ => Ui.T("未采纳", "declined"),
    };

    public static string Role(string role, bool? english = null) => role switch
    {
        Roles.Office => T(english, "考核办", "Assessment office"),
        Roles.Division => T(english, "评分处室", "Scoring division"),
        Roles.Leader => T(english, "厅领导", "Leader"),
        Roles.Assessor => T(english, "考核组", "Assessor"),
        Roles.Unit => T(english, "被考核单位", "Unit reporter"),
        Roles.Viewer => T(english, "查看人员", "Viewer"),
        Roles.Platform => T(english, "外部平台", "Platform"),
        _ => role,
    };

    /// <summary>A scoring method's name as a 评分细则 says it.</summary>
    public static string Of(Method m) => Method(m.Kind);

    /// <summary>A method by its kind in the scheme file ("ratio"), for pages that hold the kind rather than the method.</summary>
    public static string Method(string kind) => kind switch
    {
        "efficacy" => Ui.T("功效系数法", "Efficacy coefficient"),
        "banded" => Ui.T("标准值档次法", "Banded standard values"),
        "ratio" => Ui.T("完成率", "Completion ratio"),
        "threshold" => Ui.T("达标扣分", "Threshold"),
        "relative" => Ui.T("以平均值为基准", "Relative to the mean"),
        "rank" => Ui.T("争先进位", "Rank"),
        "deduction" => Ui.T("扣分制", "Deduction"),
        "raters" => Ui.T("多方评分", "Raters"),
        "survey" => Ui.T("满意度调查", "Satisfaction survey"),
        "direct" => Ui.T("直接打分", "Direct score"),
        _ => kind,
    };

    /// <summary>A slot of a 填报 sheet: a fact status, or "Missing" for nothing entered yet; in the reporter's words.</summary>
    public static string SlotStatus(string status) => status switch
    {
        "Missing" => Ui.T("未填报", "not filled"),
        "Draft" => Ui.T("草稿", "draft"),
        "Submitted" => Ui.T("待审核", "awaiting verification"),
        "Verified" => Ui.T("已审核", "verified"),
        "Returned" => Ui.T("已退回", "returned"),
        _ => status,
    };

    public static string Of(MilestoneOutcome o) => o switch
    {
        MilestoneOutcome.Done => Ui.T("完成", "done"),
        MilestoneOutcome.Partly => Ui.T("基本完成", "partly done"),
        _ => Ui.T("未完成", "not done"),
    };

    public static string JobKind(string kind) => kind switch
    {
        FactImport.JobKind => Ui.T("批量导入数据", "Bulk import of values"),
        BulletinJob.JobKind => Ui.T("生成考核通报 .docx", "Bulletin .docx"),
        ScoresWorkbookJob.JobKind => Ui.T("生成全部得分 .xlsx", "Scores workbook .xlsx"),
        RecomputeJob.JobKind => Ui.T("重新计算考核结果", "Recomputation of results"),
        SurveyTallyJob.JobKind => Ui.T("更新满意度测评统计", "Survey tallies update"),
        _ => kind,
    };

    /// <summary>Who acts on a rectification item, and what they do, for the workflow's refusals.</summary>
    public static string Of(Actor a, bool? english = null) => a switch
    {
        Actor.Unit => T(english, "被考核单位", "the unit"),
        Actor.Office => T(english, "考核办", "the office"),
        _ => T(english, "考核组", "the assessor"),
    };

    public static string Of(ItemAction a, bool? english = null) => a switch
    {
        ItemAction.Start => T(english, "开始整改", "start"),
        ItemAction.RecordProgress => T(english, "报送进展", "record progress"),
        ItemAction.Submit => T(english, "提交核验", "submit"),
        ItemAction.Verify => T(english, "核验销号", "verify"),
        ItemAction.Return => T(english, "退回", "return"),
        ItemAction.Merge => T(english, "合并", "merge"),
        _ => T(english, "重新打开", "reopen"),
    };

    /// <summary>A category of assessed units, as the unit lists group and filter them.</summary>
    public static string Of(UnitKind k) => k switch
    {
        UnitKind.HousingBureau => Ui.T("地市住建局", "Prefecture housing bureaus"),
        UnitKind.UrbanManagementBureau => Ui.T("地市城管局（地市综合 / 政府所在区 / 县城）", "Urban management (prefecture-wide / seat district / county towns)"),
        UnitKind.AffiliatedUnit => Ui.T("厅属单位", "Affiliated units"),
        _ => Ui.T("机关处室", "Divisions"),
    };
}
