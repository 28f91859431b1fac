using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Jobs;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Shared;
using Kaohe.Web.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using MiniExcelLibs;
using Npgsql;

namespace Kaohe.Web.Features.Collection;

/// <summary>
/// One checked row of a bulk import: a leaf's value, whose leaf decides the fact's source (a unit's 填报 or a division's score), or a
/// unit's base figure (<see cref="Measure"/>, a 填报 <see cref="FactKind.Measure"/> fact). <see cref="Slot"/> is the leaf's or the measure's id.
/// </summary>
internal readonly record struct ImportRow(int Row, string Unit, Leaf? Leaf, double Value, double? Target, Measure? Measure = null)
{
    public string Slot => Measure?.Id ?? Leaf!.Id;

    public FactKind Kind => Measure is null ? FactKind.Value : FactKind.Measure;

    /// <summary>Data the unit reports (a value or a base figure), as opposed to a division's direct score.</summary>
    public bool ByUnit => Measure is not null || Leaf!.Owner == SlotOwner.Unit;
}

/// <summary>
/// 批量导入 (docs/longwork.md): the office imports many units' values at once from one .xlsx sheet
/// (单位编码, 指标编码, 数值, 目标值), e.g. 100,000 rows for a national period. The 指标编码 of a row may also name a
/// base figure (measure) of the unit's version 2 scheme, checked by <see cref="MeasureRules"/> as on the 填报 sheet. It runs as a background
/// job. The sheet is streamed (MiniExcel <c>Query</c>), every row is checked first, and an error names
/// sheet, row and column; with any error nothing is written. Then, in one transaction, the counted
/// values of the imported slots are set to Returned ("superseded by import"), the new facts are
/// inserted by the bulk path of the provider (a prepared INSERT on SQLite, binary COPY on PostgreSQL)
/// and the audit trail gets one entry for the import naming the file's SHA-256 and row count.
/// </summary>
public sealed class FactImport(KaoheDbContext db, AuditLog audit, TimeProvider clock, IAttachmentStore store, ResultsStore results, ILogger<FactImport> log) : IJobHandler
{
    public const string JobKind = "facts.import";
    public const string SheetName = "批量导入";
    public const int MaxRows = 250_000;
    public const int MaxErrors = 500;
    public const string CUnit = "单位编码", CIndicator = "指标编码", CValue = "数值", CTarget = "目标值";
    private static readonly string[] Columns = [CUnit, CIndicator, CValue, CTarget];

    public string Kind => JobKind;

    public sealed record Input(long AttachmentId, string FileName);

    public async Task<JobOutcome> RunAsync(JobContext context, CancellationToken ct)
    {
        var job = context.Job;
        var input = System.Text.Json.JsonSerializer.Deserialize<Input>(job.Input ?? "{}")!;
        var file = await db.Attachments.AsNoTracking().FirstAsync(a => a.Id == input.AttachmentId, ct);
        var period = job.PeriodId!;
        // The period may have moved on since the job was queued: refused before the workbook is read.
        await EnsureOpenAsync(db, period, ct);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (rows, errors, errorCount) = await ValidateAsync(file, period, context.Progress, ct);
        log.LogInformation("Import {Job}: read and checked {Rows} rows ({Errors} errors) in {Ms} ms", job.Id, rows.Count, errorCount, watch.ElapsedMilliseconds);
        if (errorCount > 0)
            return JobOutcome.Failure($"Excel 有误（{errorCount} 处{(errorCount > errors.Count ? $"，列出前 {errors.Count} 处" : "")}），未导入任何内容 / " +
                $"the workbook has {errorCount} errors; nothing was imported", errors);
        watch.Restart();
        var written = await WriteAsync(job, file, period, rows, context.Progress, ct);
        log.LogInformation("Import {Job}: wrote {Rows} facts, superseded {Superseded}, in {Ms} ms", job.Id, rows.Count, written.Superseded, watch.ElapsedMilliseconds);
        watch.Restart();
        await RefreshResultsAsync(period, rows, context.Progress, ct);
        context.Progress.Report(new JobProgress(rows.Count, rows.Count, "完成 / done"));
        log.LogInformation("Import {Job}: results of {Period} brought up to date in {Ms} ms", job.Id, period, watch.ElapsedMilliseconds);
        return JobOutcome.Success($"已导入 {rows.Count} 条数据，取代原有数据 {written.Superseded} 条 / imported {rows.Count} values, superseding {written.Superseded}",
            null, $"/Collection/Progress?period={Uri.EscapeDataString(period)}");
    }

    /// <summary>
    /// Brings the results store's drafts of the categories the import touched up to date, inside the job: whatever
    /// reads the period next (the ranking page, the bulletin job, an export) finds them computed instead of paying
    /// for 100,000 changed values itself (issue 20). The store takes its incremental path when it holds an older
    /// draft of the period. The import has committed by now: a failure here is logged, and the next reader computes.
    /// </summary>
    private async Task RefreshResultsAsync(string period, List<ImportRow> rows, IProgress<JobProgress> progress, CancellationToken ct)
    {
        var imported = rows.Select(r => r.Unit).ToHashSet(StringComparer.Ordinal);
        var kinds = (await db.Units.AsNoTracking().Select(u => new { u.Id, u.Kind }).ToListAsync(ct))
            .Where(u => imported.Contains(u.Id)).Select(u => u.Kind).ToHashSet();
        var categories = Categories.All.Where(c => kinds.Contains(c.Kind)).ToList();
        // The rows are all written: the bar stays full while the results are scored.
        progress.Report(new JobProgress(rows.Count, rows.Count, "更新结果 / updating the results"));
        foreach (var c in categories)
        {
            try
            {
                await results.DraftAsync(db, period, c.Code, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Import: the results of {Period} {Category} could not be brought up to date", period, c.Code);
            }
        }
    }

    /// <summary>Reads and checks every row (streamed); returns the good rows, or the errors by cell (at most <see cref="MaxErrors"/>) and how many there were.</summary>
    internal async Task<(List<ImportRow> Rows, Dictionary<string, string[]> Errors, int ErrorCount)> ValidateAsync(Attachment file, string period,
        IProgress<JobProgress> progress, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var errorCount = 0;
        void Err(string key, string zh, string en)
        {
            errorCount++;
            if (errors.Count < MaxErrors) errors[key] = [Ui.T(zh, en)];
        }
        var rows = new List<ImportRow>();
        var units = await db.Units.AsNoTracking().Select(u => new { u.Id, u.Kind }).ToDictionaryAsync(u => u.Id, u => u.Kind, StringComparer.Ordinal, ct);
        var unitIds = units.Keys.ToHashSet(StringComparer.Ordinal);
        var leaves = await SchemeLeaves.LoadAsync(db, period, ct);
        var byCategory = leaves.Categories.ToDictionary(c => c, c => leaves.Of(c).ToDictionary(l => l.Id, StringComparer.Ordinal));
        var measuresOf = leaves.Categories.ToDictionary(c => c, c => leaves.MeasuresOf(c).ToDictionary(m => m.Id, StringComparer.Ordinal));
        var letters = measuresOf.Values.Any(m => m.Count > 0) ? await Targets.LetterOwnership.OfAsync(db, period, ct: ct) : [];
        await using var stream = store.OpenRead(file);
        long total;
        try
        {
            if (!stream.GetSheetNames().Contains(SheetName))
            {
                Err("file", $"工作簿中没有名为“{SheetName}”的工作表，请使用本系统下载的批量导入模板", $"the workbook has no sheet named \"{SheetName}\"; use the bulk import template");
                return (rows, errors, errorCount);
            }
            stream.Position = 0;
            total = Math.Max(0, DimensionRows(stream) - 1);
            stream.Position = 0;
        }
        catch (Exception ex) when (XlsxGuard.IsUnreadable(ex))
        {
            Err("file", "无法读取工作簿内容，请确认文件是 Excel 保存的 .xlsx", "the workbook's content cannot be read: make sure it is an .xlsx saved by Excel");
            return (rows, errors, errorCount);
        }
        progress.Report(new JobProgress(0, total, "校验中 / checking"));
        Dictionary<string, string>? letterOf = null;
        var seen = new Dictionary<(string, string), int>();
        var no = 0;
        try
        {
            foreach (IDictionary<string, object?> r in XlsxGuard.Reading(stream.Query(useHeaderRow: false, sheetName: SheetName)))
            {
                no++;
                ct.ThrowIfCancellationRequested();
                if (letterOf is null)
                {
                    letterOf = r.Where(kv => kv.Value?.ToString()?.Trim() is { } h && Columns.Contains(h)).GroupBy(kv => kv.Value!.ToString()!.Trim())
                        .ToDictionary(g => g.Key, g => g.First().Key);
                    var missing = Columns.Take(3).Where(c => !letterOf.ContainsKey(c)).ToList();
                    if (missing.Count > 0)
                    {
                        Err($"{SheetName}!A1", $"第 1 行须是列名：{string.Join("、", Columns)}（缺少 {string.Join("、", missing)}）",
                            $"row 1 must hold the headers {string.Join(", ", Columns)} (missing {string.Join(", ", missing)})");
                        return (rows, errors, errorCount);
                    }
                    continue;
                }
                if (no - 1 > MaxRows)
                {
                    Err($"{SheetName}!A{no}", $"一次最多导入 {MaxRows} 行，请分批导入", $"at most {MaxRows} rows per import; split the file");
                    break;
                }
                if (no % 5000 == 0) progress.Report(new JobProgress(no - 1, Math.Max(total, no - 1), "校验中 / checking"));
                string? Cell(string column) => letterOf.TryGetValue(column, out var letter) && r.TryGetValue(letter, out var v) && v is not null
                    && (v is string s ? s.Trim() : Convert.ToString(v, CultureInfo.InvariantCulture)) is { Length: > 0 } t ? t : null;
                string Key(string column) => $"{SheetName}!{letterOf.GetValueOrDefault(column, "A")}{no}";
                string Where(string column) => $"{SheetName}!第{no}行 {column}";
                string WhereEn(string column) => $"sheet {SheetName} row {no} column {column}";
                double? Number(string column, out bool bad)
                {
                    bad = false;
                    if (!letterOf.TryGetValue(column, out var letter) || !r.TryGetValue(letter, out var v) || v is null) return null;
                    if (v is double d0) return double.IsFinite(d0) ? d0 : Bad(out bad, column, d0.ToString(CultureInfo.InvariantCulture));
                    if (v is int or long or decimal or float) return Convert.ToDouble(v, CultureInfo.InvariantCulture);
                    var text = Convert.ToString(v, CultureInfo.InvariantCulture)!.Trim();
                    if (text.Length == 0) return null;
                    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return d;
                    return Bad(out bad, column, text);
                }
                double? Bad(out bool bad, string column, string text)
                {
                    bad = true;
                    Err(Key(column), $"{Where(column)}: “{text}”不是数字", $"{WhereEn(column)}: \"{text}\" is not a number");
                    return null;
                }
                var unit = Cell(CUnit);
                var indicator = Cell(CIndicator);
                var value = Number(CValue, out var badValue);
                var target = Number(CTarget, out var badTarget);
                if (unit is null && indicator is null && value is null && target is null && !badValue && !badTarget) continue; // an empty row
                if (unit is null) { Err(Key(CUnit), $"{Where(CUnit)}: 须填写单位编码", $"{WhereEn(CUnit)}: a unit id is required"); continue; }
                if (!units.TryGetValue(unit, out var kind)) { Err(Key(CUnit), $"{Where(CUnit)}: 单位 {unit} 不存在", $"{WhereEn(CUnit)}: unit {unit} does not exist"); continue; }
                if (indicator is null) { Err(Key(CIndicator), $"{Where(CIndicator)}: 须填写指标编码", $"{WhereEn(CIndicator)}: an indicator id is required"); continue; }
                var category = SchemeLeaves.CategoryOf(kind) ?? "";
                // The units dictionary's own key instance: 100,000 rows share a few thousand strings.
                var unitId = unitIds.TryGetValue(unit, out var known) ? known : unit;
                if (measuresOf.TryGetValue(category, out var catMeasures) && catMeasures.TryGetValue(indicator, out var measure))
                {
                    // A base figure (基础数据): the rules of the 填报 sheet and the platform API, named by the row.
                    if (badValue || badTarget) continue;
                    if (value is not { } figure) { Err(Key(CValue), $"{Where(CValue)}: 须填写{measure.Name}（{measure.Unit}）", $"{WhereEn(CValue)}: {measure.Name} needs a number ({measure.Unit})"); continue; }
                    if (MeasureRules.Problem(measure, figure) is { } wrong) { Err(Key(CValue), $"{Where(CValue)}: {wrong.Zh}", $"{WhereEn(CValue)}: {wrong.En}"); continue; }
                    if (target is not null) { Err(Key(CTarget), $"{Where(CTarget)}: 基础数据没有目标值", $"{WhereEn(CTarget)}: a base figure has no target"); continue; }
                    if (letters.GetValueOrDefault((unitId, measure.Id)) is { } set)
                    {
                        // The unit's 目标责任书 sets this figure: the office corrects it by a letter change, not by an import.
                        var (zh, en) = set.Refusal(measure.Name);
                        Err(Key(CIndicator), $"{Where(CIndicator)}: 单位 {unit} 的{zh}", $"{WhereEn(CIndicator)}: unit {unit}: {en}");
                        continue;
                    }
                    if (seen.TryGetValue((unitId, measure.Id), out var firstFigure))
                    {
                        Err(Key(CIndicator), $"{Where(CIndicator)}: 单位 {unit} 的基础数据 {indicator} 已在第 {firstFigure} 行出现", $"{WhereEn(CIndicator)}: unit {unit}, measure {indicator} is already on row {firstFigure}");
                        continue;
                    }
                    seen[(unitId, measure.Id)] = no;
                    rows.Add(new ImportRow(no, unitId, null, figure, null, measure));
                    continue;
                }
                if (!byCategory.TryGetValue(category, out var catLeaves) || !catLeaves.TryGetValue(indicator, out var leaf) || !Importable(leaf))
                {
                    Err(Key(CIndicator), $"{Where(CIndicator)}: 指标 {indicator} 不是单位 {unit} 本期方案中可导入数值的末级指标（单位填报或处室直接打分）",
                        $"{WhereEn(CIndicator)}: indicator {indicator} is not a leaf of unit {unit}'s scheme in this period that takes a value (unit report or direct score)");
                    continue;
                }
                if (badValue || badTarget) continue;
                if (value is not { } v) { Err(Key(CValue), $"{Where(CValue)}: 须填写数值", $"{WhereEn(CValue)}: a number is required"); continue; }
                if (leaf.Method is RatioMethod && v < 0) { Err(Key(CValue), $"{Where(CValue)}: 数值不能为负", $"{WhereEn(CValue)}: the value cannot be negative"); continue; }
                if (leaf.Method is DirectMethod && (v < 0 || v > leaf.Points))
                {
                    Err(Key(CValue), $"{Where(CValue)}: 直接打分须在 0–{leaf.Points:0.##} 之间", $"{WhereEn(CValue)}: a direct score lies in 0–{leaf.Points:0.##}");
                    continue;
                }
                if (leaf.NeedsTarget && target is not > 0)
                {
                    Err(Key(CTarget), $"{Where(CTarget)}: 指标 {indicator} 须填写大于 0 的目标值", $"{WhereEn(CTarget)}: indicator {indicator} needs a target greater than 0");
                    continue;
                }
                if (!leaf.NeedsTarget && target is not null)
                {
                    Err(Key(CTarget), $"{Where(CTarget)}: 指标 {indicator} 不填写目标值", $"{WhereEn(CTarget)}: indicator {indicator} takes no target");
                    continue;
                }
                if (seen.TryGetValue((unitId, leaf.Id), out var first))
                {
                    Err(Key(CIndicator), $"{Where(CIndicator)}: 单位 {unit} 的指标 {indicator} 已在第 {first} 行出现", $"{WhereEn(CIndicator)}: unit {unit}, indicator {indicator} is already on row {first}");
                    continue;
                }
                seen[(unitId, leaf.Id)] = no;
                rows.Add(new ImportRow(no, unitId, leaf, v, target));
            }
        }
        catch (UnreadableWorkbookException)
        {
            Err("file", "无法读取工作簿内容，请确认文件是 Excel 保存的 .xlsx", "the workbook's content cannot be read: make sure it is an .xlsx saved by Excel");
            return (rows, errors, errorCount);
        }
        if (letterOf is null) Err($"{SheetName}!A1", "表是空的", "the sheet is empty");
        else if (rows.Count == 0 && errorCount == 0) Err($"{SheetName}!A2", "表中没有填写任何数据", "the sheet holds no data to import");
        return (rows, errors, errorCount);
    }

    /// <summary>Refuses (Data/PeriodStages.cs) an import into a period whose stage, for any category with an active scheme, takes no data.</summary>
    public static async Task EnsureOpenAsync(KaoheDbContext db, string period, CancellationToken ct)
    {
        var categories = await db.Schemes.AsNoTracking().Where(s => s.PeriodId == period && s.Status == SchemeStatus.Active).Select(s => s.Category).Distinct().ToListAsync(ct);
        await PeriodStages.EnsureAsync(db, period, categories.Count == 0 ? [""] : categories, PeriodInput.Data, ct);
    }

    /// <summary>Leaves that take one value per unit: what a unit reports (computational methods) and a division's direct score.</summary>
    public static bool Importable(Leaf leaf) => leaf.Owner == SlotOwner.Unit || leaf.Method is DirectMethod;

    /// <summary>The rows the sheet's dimension names (a progress total; 0 when the writer left it out).</summary>
    private static long DimensionRows(Stream stream)
    {
        using var doc = SpreadsheetDocument.Open(stream, false);
        var wb = doc.WorkbookPart!;
        var sheet = wb.Workbook.Sheets?.Elements<Sheet>().FirstOrDefault(s => s.Name == SheetName);
        if (sheet?.Id?.Value is not { } rel || wb.GetPartById(rel) is not WorksheetPart part) return 0;
        using var reader = DocumentFormat.OpenXml.OpenXmlReader.Create(part);
        while (reader.Read())
        {
            if (reader.ElementType == typeof(SheetDimension))
            {
                var dim = ((SheetDimension)reader.LoadCurrentElement()!).Reference?.Value ?? "";
                var end = dim.Split(':').Last();
                var digits = new string([.. end.SkipWhile(char.IsLetter)]);
                return long.TryParse(digits, out var n) ? n : 0;
            }
            if (reader.ElementType == typeof(SheetData)) break;
        }
        return 0;
    }

    internal sealed record Written(long Inserted, long Superseded);

    /// <summary>
    /// Writes the checked rows in the transaction of <see cref="AuditLog.SaveAsync"/>: the bulk statements
    /// run when it saves (<see cref="DbContext.SavingChanges"/>), so the facts, the superseded rows, the
    /// job's row and the audit entry commit together or not at all.
    /// </summary>
    private async Task<Written> WriteAsync(Job job, Attachment file, string period, List<ImportRow> rows, IProgress<JobProgress> progress, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var author = audit.Actor;
        string sha;
        await using (var s = store.OpenRead(file)) sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(s, ct));
        long superseded = 0;
        var ran = false;
        void Bulk(object? sender, SavingChangesEventArgs e)
        {
            if (ran) return;
            var tx = db.Database.CurrentTransaction?.GetDbTransaction()
                ?? throw new InvalidOperationException("the bulk import must run inside AuditLog's transaction");
            ran = true;
            // Numbered as the interceptor numbers what EF writes: the results store finds the units changed by their number.
            var changeNo = ResultsRevisions.NextChangeNo(db, period);
            superseded = Supersede(db, tx, period, rows, now, job.Id, changeNo);
            Insert(db, tx, Facts(period, rows, author, now, changeNo), n => progress.Report(new JobProgress(n, rows.Count, "写入中 / writing")));
        }
        progress.Report(new JobProgress(0, rows.Count, "写入中 / writing"));
        // The COPY bypasses the change tracker: it tells the stage guard what it writes, checked in the same transaction.
        var kinds = await db.Units.AsNoTracking().Select(u => new { u.Id, u.Kind }).ToDictionaryAsync(u => u.Id, u => u.Kind, StringComparer.Ordinal, ct);
        string CategoryOf(ImportRow r) => PeriodStages.CategoryOf(kinds.TryGetValue(r.Unit, out var k) ? k : (UnitKind?)null);
        using var data = PeriodStages.DeclareBulkWrite(db, period, rows.Where(r => r.ByUnit).Select(CategoryOf), PeriodInput.Data);
        using var scores = PeriodStages.DeclareBulkWrite(db, period, rows.Where(r => !r.ByUnit).Select(CategoryOf), PeriodInput.Score);
        db.SavingChanges += Bulk;
        try
        {
            // A tracked change, so that SaveChanges (and the hook) surely runs: the job's message.
            var tracked = await db.Set<Job>().FirstAsync(j => j.Id == job.Id, ct);
            db.Entry(tracked).Property(j => j.Message).CurrentValue = "写入完成 / written";
            audit.Record("facts.import", "job", job.Id, null, new
            {
                period,
                file = file.FileName,
                sha256 = sha,
                rows = rows.Count,
                units = rows.Select(r => r.Unit).Distinct().Count(),
                indicators = rows.Where(r => r.Measure is null).Select(r => r.Slot).Distinct().Count(),
                measures = rows.Where(r => r.Measure is not null).Select(r => r.Slot).Distinct().Count(),
                firstRow = rows.Count > 0 ? rows[0].Row : 0,
                lastRow = rows.Count > 0 ? rows[^1].Row : 0,
            }, "批量导入（导入前已计入的同一单位同一指标的数据改为已退回，原因“被批量导入取代”）/ bulk import (counted values of the same slots are set to Returned, superseded by the import)");
            await audit.SaveAsync(ct);
        }
        finally
        {
            db.SavingChanges -= Bulk;
        }
        progress.Report(new JobProgress(rows.Count, rows.Count, "完成 / done"));
        return new Written(rows.Count, superseded);
    }

    private static IEnumerable<Fact> Facts(string period, List<ImportRow> rows, string author, DateTimeOffset now, long changeNo)
    {
        foreach (var r in rows)
        {
            // A unit's value is a 填报 fact (so the unit's sheet shows it, submitted, and corrections work as usual); a direct score is a division's.
            var source = r.ByUnit ? FactSources.Report : FactSources.Division;
            var f = new Fact(period, r.Unit, r.Slot, r.Kind, new FactPayload(Value: r.Value, Target: r.Target).ToJson(), source, author, now, FactStatus.Draft);
            f.Submit(now, late: false);
            f.Numbered(changeNo);
            yield return f;
        }
    }

    private static (string Table, (string Name, Func<object, object?> Get)[] Columns, Func<string, string> Col) Mapping(KaoheDbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(Fact))!;
        var table = entity.GetTableName()!;
        var storeObject = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var columns = entity.GetProperties()
            .Where(p => !p.IsPrimaryKey() && !p.IsShadowProperty())
            .Select(p => (Name: p.GetColumnName(storeObject)!, Get: Getter(p)))
            .ToArray();
        return (table, columns, name => entity.FindProperty(name)!.GetColumnName(storeObject)!);
    }

    /// <summary>The value as the database stores it: through the property's value converter (enums as text, times as binary).</summary>
    private static Func<object, object?> Getter(IProperty p)
    {
        var converter = p.GetTypeMapping().Converter;
        Func<object, object?> raw = p.PropertyInfo is { } pi ? pi.GetValue : p.FieldInfo!.GetValue;
        return converter is null ? raw : o => raw(o) is { } v ? converter.ConvertToProvider(v) : null;
    }

    /// <summary>Sets the counted values (and base figures) of the imported (unit, indicator or measure, kind) slots to Returned, so the engine never sees two values for one slot.</summary>
    private static long Supersede(KaoheDbContext db, DbTransaction tx, string period, List<ImportRow> rows, DateTimeOffset now, string jobId, long changeNo)
    {
        var (table, _, col) = Mapping(db);
        var conn = tx.Connection!;
        var reason = $"被批量导入取代（任务 {jobId}）/ superseded by bulk import {jobId}";
        string Q(string property) => $"\"{col(property)}\"";
        string Where(string alias, string param) =>
            $"{alias}{Q(nameof(Fact.PeriodId))} = {param} AND {alias}{Q(nameof(Fact.Status))} IN ('Submitted', 'Verified')";
        if (conn is NpgsqlConnection pg)
        {
            using var cmd = new NpgsqlCommand(
                $"UPDATE \"{table}\" AS f SET {Q(nameof(Fact.Status))} = 'Returned', {Q(nameof(Fact.StatusReason))} = @r, {Q(nameof(Fact.ChangeNo))} = @n " +
                $"FROM unnest(@u, @i, @k) AS s(u, i, k) WHERE f.{Q(nameof(Fact.UnitId))} = s.u AND f.{Q(nameof(Fact.IndicatorId))} = s.i AND f.{Q(nameof(Fact.Kind))} = s.k AND " +
                Where("f.", "@p"), pg, (NpgsqlTransaction)tx);
            cmd.Parameters.AddWithValue("p", period);
            cmd.Parameters.AddWithValue("r", reason);
            cmd.Parameters.AddWithValue("n", changeNo);
            cmd.Parameters.AddWithValue("u", rows.Select(r => r.Unit).ToArray());
            cmd.Parameters.AddWithValue("i", rows.Select(r => r.Slot).ToArray());
            cmd.Parameters.AddWithValue("k", rows.Select(r => r.Kind.ToString()).ToArray());
            return cmd.ExecuteNonQuery();
        }
        var sqlite = (SqliteConnection)conn;
        using (var create = sqlite.CreateCommand())
        {
            create.Transaction = (SqliteTransaction)tx;
            create.CommandText = "CREATE TEMP TABLE IF NOT EXISTS kaohe_import_slots (u TEXT NOT NULL, i TEXT NOT NULL, k TEXT NOT NULL, PRIMARY KEY (u, i, k)) WITHOUT ROWID; DELETE FROM kaohe_import_slots;";
            create.ExecuteNonQuery();
        }
        using (var insert = sqlite.CreateCommand())
        {
            insert.Transaction = (SqliteTransaction)tx;
            insert.CommandText = "INSERT INTO kaohe_import_slots (u, i, k) VALUES ($u, $i, $k)";
            var pu = insert.Parameters.Add("$u", SqliteType.Text);
            var pi = insert.Parameters.Add("$i", SqliteType.Text);
            var pk = insert.Parameters.Add("$k", SqliteType.Text);
            insert.Prepare();
            foreach (var r in rows)
            {
                pu.Value = r.Unit;
                pi.Value = r.Slot;
                pk.Value = r.Kind.ToString();
                insert.ExecuteNonQuery();
            }
        }
        using var update = sqlite.CreateCommand();
        update.Transaction = (SqliteTransaction)tx;
        update.CommandText = $"UPDATE \"{table}\" SET {Q(nameof(Fact.Status))} = 'Returned', {Q(nameof(Fact.StatusReason))} = $r, {Q(nameof(Fact.ChangeNo))} = $n WHERE {Where("", "$p")} " +
            $"AND EXISTS (SELECT 1 FROM kaohe_import_slots s WHERE s.u = \"{table}\".{Q(nameof(Fact.UnitId))} AND s.i = \"{table}\".{Q(nameof(Fact.IndicatorId))} AND s.k = \"{table}\".{Q(nameof(Fact.Kind))})";
        update.Parameters.AddWithValue("$p", period);
        update.Parameters.AddWithValue("$r", reason);
        update.Parameters.AddWithValue("$n", changeNo);
        var superseded = update.ExecuteNonQuery();
        using var clear = sqlite.CreateCommand();
        clear.Transaction = (SqliteTransaction)tx;
        clear.CommandText = "DELETE FROM kaohe_import_slots";
        clear.ExecuteNonQuery();
        return superseded;
    }

    /// <summary>Inserts the facts exactly as EF would write them (the model's columns and converters): a prepared INSERT on SQLite, binary COPY on PostgreSQL.</summary>
    private static void Insert(KaoheDbContext db, DbTransaction tx, IEnumerable<Fact> facts, Action<long> progress)
    {
        var (table, columns, _) = Mapping(db);
        var names = string.Join(", ", columns.Select(c => $"\"{c.Name}\""));
        long n = 0;
        if (tx.Connection is NpgsqlConnection pg)
        {
            using var importer = pg.BeginBinaryImport($"COPY \"{table}\" ({names}) FROM STDIN (FORMAT BINARY)");
            foreach (var f in facts)
            {
                importer.StartRow();
                foreach (var c in columns)
                {
                    if (c.Get(f) is { } v) importer.Write(v);
                    else importer.WriteNull();
                }
                if (++n % 5000 == 0) progress(n);
            }
            importer.Complete();
        }
        else
        {
            var sqlite = (SqliteConnection)tx.Connection!;
            using var cmd = sqlite.CreateCommand();
            cmd.Transaction = (SqliteTransaction)tx;
            cmd.CommandText = $"INSERT INTO \"{table}\" ({names}) VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i.ToString(CultureInfo.InvariantCulture)))})";
            var parameters = columns.Select((_, i) => cmd.Parameters.Add(new SqliteParameter("$p" + i.ToString(CultureInfo.InvariantCulture), null))).ToArray();
            cmd.Prepare();
            foreach (var f in facts)
            {
                for (var i = 0; i < columns.Length; i++) parameters[i].Value = columns[i].Get(f) ?? DBNull.Value;
                cmd.ExecuteNonQuery();
                if (++n % 5000 == 0) progress(n);
            }
        }
        progress(n);
    }

    /// <summary>
    /// The bulk import template: the columns, and with <paramref name="filled"/> the period's current counted
    /// values of every importable leaf (at most <paramref name="max"/> rows), to edit and import back.
    /// </summary>
    public async Task WriteTemplateAsync(Stream output, string period, bool filled, int? max, CancellationToken ct)
    {
        var rows = new List<Dictionary<string, object?>>();
        if (filled)
        {
            var leaves = await SchemeLeaves.LoadAsync(db, period, ct);
            var importable = leaves.Categories.SelectMany(c => leaves.Of(c)).Where(Importable).Select(l => l.Id).ToHashSet(StringComparer.Ordinal);
            var measures = leaves.Categories.SelectMany(c => leaves.MeasuresOf(c)).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
            // A figure a target letter sets is not the import's to write (it would be refused), so the template leaves it out.
            var letters = measures.Count > 0 ? await Targets.LetterOwnership.OfAsync(db, period, ct: ct) : [];
            var query = db.Facts.AsNoTracking()
                .Where(f => f.PeriodId == period && (f.Kind == FactKind.Value || f.Kind == FactKind.Measure) && FactStatuses.Counted.Contains(f.Status))
                .OrderBy(f => f.UnitId).ThenBy(f => f.IndicatorId).ThenBy(f => f.Id)
                .Select(f => new { f.UnitId, f.IndicatorId, f.Kind, f.Payload });
            await foreach (var f in query.AsAsyncEnumerable().WithCancellation(ct))
            {
                if (!(f.Kind == FactKind.Measure ? measures : importable).Contains(f.IndicatorId!)) continue;
                if (f.Kind == FactKind.Measure && letters.ContainsKey((f.UnitId, f.IndicatorId!))) continue;
                var p = FactPayload.Parse(f.Payload);
                rows.Add(new() { [CUnit] = ExcelSafe.Text(f.UnitId), [CIndicator] = ExcelSafe.Text(f.IndicatorId), [CValue] = p.Value, [CTarget] = p.Target });
                if (max is { } m && rows.Count >= m) break;
            }
        }
        if (rows.Count == 0) rows.Add(Columns.ToDictionary(c => c, _ => (object?)null));
        output.SaveAs(new Dictionary<string, object> { [SheetName] = rows });
    }
}
