using Kaohe.Data.Postgres;
using Kaohe.Data.Sqlite;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Generate;
using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Features.Surveys;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using DbSurveyResponse = Kaohe.Data.SurveyResponse;

namespace Kaohe.Web.Tests.Generate;

/// <summary><c>kaohe generate</c> run in process, with what it printed.</summary>
public sealed record CliRun(int Code, string Stdout, string Stderr)
{
    public static async Task<CliRun> RunAsync(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        // On the thread pool: the verb blocks on its own async work, as a console program does.
        var code = await Task.Run(() => Kaohe.Cli.Program.Run(args, new StringReader(""), stdout, stderr));
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>A target that <c>kaohe generate --scale small</c> has written once for the test class (no --password: one is generated and printed).</summary>
public abstract class GeneratedTarget : IAsyncLifetime
{
    public CliRun Run { get; private set; } = null!;

    /// <summary>--out DIR or --postgres CS.</summary>
    public abstract string[] TargetArgs { get; }

    public abstract KaoheDbContext Open();

    public abstract string[] VerifyAuditArgs { get; }

    /// <summary>The settings that point the application at the generated data.</summary>
    public abstract Dictionary<string, string> AppSettings { get; }

    /// <summary>The office password that the run generated and printed once.</summary>
    public string OfficePassword => Run.Stdout.Split('\n').Single(l => l.Contains("password of the office account")).Split(": ")[1].Split('（')[0].Trim();

    protected virtual Task PrepareAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        await PrepareAsync();
        Run = await CliRun.RunAsync(["generate", "--scale", "small", .. TargetArgs]);
    }

    public async Task<T> WithDb<T>(Func<KaoheDbContext, Task<T>> f)
    {
        await using var db = Open();
        return await f(db);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;
}

public sealed class SqliteTarget : GeneratedTarget
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "kaohe-generate-" + Guid.NewGuid().ToString("N"), "data");

    public override string[] TargetArgs => ["--out", Dir];
    public override string[] VerifyAuditArgs => ["--data-dir", Dir];
    public override Dictionary<string, string> AppSettings => new() { ["Database:Provider"] = "Sqlite", ["Kaohe:DataDir"] = Dir };

    public override KaoheDbContext Open() => new SqliteKaoheDbContext(new DbContextOptionsBuilder<SqliteKaoheDbContext>()
        .UseSqlite($"Data Source={Path.Combine(Dir, "kaohe.db")};Pooling=False").Options);

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(Dir)!, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>A fresh database on the test PostgreSQL (KAOHE_TEST_PG), created empty as a DBA would.</summary>
public sealed class PostgresTarget : GeneratedTarget
{
    private readonly string _database = "kaohe_g_" + Guid.NewGuid().ToString("N")[..12];

    public string ConnectionString => new NpgsqlConnectionStringBuilder(PostgresApp.Server) { Database = _database }.ConnectionString;

    public override string[] TargetArgs => ["--postgres", ConnectionString];
    public override string[] VerifyAuditArgs => ["--postgres", ConnectionString];

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kaohe-generate-pg-" + Guid.NewGuid().ToString("N"));

    public override Dictionary<string, string> AppSettings => new()
    {
        ["Database:Provider"] = "Postgres", ["ConnectionStrings:Kaohe"] = ConnectionString, ["Kaohe:DataDir"] = _dataDir,
    };

    public override KaoheDbContext Open() =>
        new PostgresKaoheDbContext(new DbContextOptionsBuilder<PostgresKaoheDbContext>().UseNpgsql(ConnectionString).Options);

    protected override async Task PrepareAsync()
    {
        await using var conn = new NpgsqlConnection(PostgresApp.Server);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {_database}", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public override async Task DisposeAsync()
    {
        if (Directory.Exists(_dataDir)) Directory.Delete(_dataDir, recursive: true);
        NpgsqlConnection.ClearAllPools();
        await using var conn = new NpgsqlConnection(PostgresApp.Server);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>The small scale promises, on each database: what the dataset holds, that it scores, and that it is never written twice.</summary>
public abstract class GenerateTests<TTarget>(TTarget target) : IClassFixture<TTarget> where TTarget : GeneratedTarget
{
    private static readonly WorkloadScale Small = WorkloadScale.Small;

    /// <summary>The workload the generator wrote (deterministic: same seed, same scale).</summary>
    private static readonly NationalWorkload Workload = new(scale: WorkloadScale.Small);

    private void Generated() => Assert.True(target.Run.Code == 0, $"exit {target.Run.Code}: {target.Run.Stderr}");

    [Fact]
    public async Task The_small_dataset_has_the_units_groups_schemes_and_periods_it_promises()
    {
        Generated();
        var units = await target.WithDb(db => db.Units.AsNoTracking().ToListAsync());
        Assert.Equal(Small.Units, units.Count);
        Assert.All(units, u => Assert.Equal(UnitKind.HousingBureau, u.Kind));
        var groups = units.Select(u => u.Group).Distinct().Count();
        Assert.Equal(Workload.GroupCount, groups);
        Assert.InRange(groups, 3, 8);

        var schemes = await target.WithDb(db => db.Schemes.AsNoTracking().OrderBy(s => s.PeriodId).ToListAsync());
        Assert.Equal(["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"], schemes.Select(s => s.PeriodId));
        foreach (var s in schemes)
        {
            Assert.Equal(("housing", SchemeStatus.Active), (s.Category, s.Status));
            var tree = SchemeService.Parse(s);
            Assert.True(tree.IsValid);
            Assert.Equal(60, IndicatorTree.Leaves(tree.Indicators!).Count());
        }
        var periodsWithFacts = await target.WithDb(db => db.Facts.Select(f => f.PeriodId).Distinct().OrderBy(p => p).ToListAsync());
        Assert.Equal(["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"], periodsWithFacts);
        Assert.Contains($"{Small.Units} 个单位 units", target.Run.Stdout);
    }

    [Fact]
    public async Task Every_rater_leaf_has_five_raters_for_every_unit_and_quarter()
    {
        Generated();
        var tree = await target.WithDb(db => db.Schemes.AsNoTracking().FirstAsync());
        var raterLeaves = IndicatorTree.Leaves(SchemeService.Parse(tree).Indicators!).Where(l => l.Method is RatersMethod).Select(l => l.Id).ToHashSet();
        Assert.NotEmpty(raterLeaves);
        var perLeaf = await target.WithDb(db => db.Facts.AsNoTracking().Where(f => f.Kind == FactKind.RaterScore)
            .GroupBy(f => new { f.PeriodId, f.UnitId, f.IndicatorId })
            .Select(g => new { g.Key.IndicatorId, Raters = g.Select(f => f.Rater).Distinct().Count() }).ToListAsync());
        Assert.Equal(4 * Small.Units * raterLeaves.Count, perLeaf.Count);
        Assert.All(perLeaf, x => Assert.Equal(5, x.Raters));
        Assert.Equal(raterLeaves, perLeaf.Select(x => x.IndicatorId!).ToHashSet());
    }

    [Fact]
    public async Task The_survey_responses_tally_to_the_quarters_survey_facts_and_the_rectification_items_are_there()
    {
        Generated();
        var responses = await target.WithDb(db => db.Set<DbSurveyResponse>().CountAsync());
        Assert.Equal(Small.Responses, responses);
        var channels = await target.WithDb(db => db.Set<DbSurveyResponse>().GroupBy(r => r.Channel).Select(g => g.Count()).ToListAsync());
        Assert.Equal(2, channels.Count); // half by QR code, half from paper
        var tallied = await target.WithDb(db => db.Facts.AsNoTracking()
            .Where(f => f.PeriodId == "2023-Q1" && f.Kind == FactKind.SurveyTally).Select(f => f.Payload).ToListAsync());
        Assert.Equal(Small.Units, tallied.Count);
        // 不了解 is answered but not counted as satisfied or not; every answer is in some option's count.
        Assert.Equal(Small.Responses, tallied.Sum(p => FactPayload.Parse(p).Counts!.Values.Sum()));

        Assert.Equal(Small.RectificationItems, await target.WithDb(db => db.RectificationItems.CountAsync()));
        Assert.Equal(Small.RectificationItems / 5 * 2, await target.WithDb(db => db.Set<Milestone>().CountAsync()));
        var unitIds = await target.WithDb(db => db.Units.Select(u => u.Id).ToListAsync());
        var itemUnits = await target.WithDb(db => db.RectificationItems.Select(i => i.UnitId).Distinct().ToListAsync());
        Assert.Subset(unitIds.ToHashSet(), itemUnits.ToHashSet());
    }

    [Fact]
    public async Task A_quarter_scores_from_the_database_exactly_as_the_workload_does()
    {
        Generated();
        var built = await target.WithDb(db => new ReferenceBuilder(db).BuildAsync("2023-Q1", "housing"));
        Assert.NotNull(built);
        var fromDb = Engine.Score(built.Assessment);
        Assert.True(fromDb.IsValid, string.Join("; ", fromDb.Errors));
        var expected = Engine.Score(Workload.Assessment).Result!;
        Assert.Equal(Small.Units, fromDb.Result!.Units.Count);
        foreach (var u in expected.Units)
        {
            var got = fromDb.Result[u.Id];
            Assert.Equal((u.Total, u.Rank, u.Group, u.Vetoed), (got.Total, got.Rank, got.Group, got.Vetoed));
        }
    }

    [Fact]
    public async Task The_office_account_takes_the_password_printed_once_and_the_audit_chain_verifies()
    {
        Generated();
        var password = target.OfficePassword;
        Assert.Equal(16, password.Length);
        var office = await target.WithDb(db => db.Users.AsNoTracking().SingleAsync(u => u.UserName == "office"));
        Assert.Equal(Roles.Office, office.Role);
        Assert.Equal(PasswordVerificationResult.Success, new PasswordHasher<AppUser>().VerifyHashedPassword(office, office.PasswordHash!, password));
        Assert.Equal(PasswordVerificationResult.Failed, new PasswordHasher<AppUser>().VerifyHashedPassword(office, office.PasswordHash!, password + "x"));

        var audit = await CliRun.RunAsync(["verify-audit", .. target.VerifyAuditArgs]);
        Assert.True(audit.Code == 0, audit.Stderr);
        // The first entry of the chain (the application, once started on the data, may add its own after it).
        var entry = await target.WithDb(db => db.AuditEntries.AsNoTracking().OrderBy(e => e.Sequence).FirstAsync());
        Assert.Equal((1L, "dataset.generate", "small"), (entry.Sequence, entry.Action, entry.EntityId));
        Assert.Contains("\"RectificationItems\":300", entry.NewValue);
    }

    [Fact]
    public void Progress_goes_to_stderr_one_line_per_phase_when_it_is_not_a_terminal()
    {
        Generated();
        Assert.DoesNotContain('\r', target.Run.Stderr);
        var lines = target.Run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines.Distinct().Count(), lines.Length);
        foreach (var phase in new[] { "迁移 / migrations", "数据 / facts 2023-Q1", "数据 / facts 2023-Q4", "问卷 / survey responses", "整改事项 / rectification items" })
            Assert.Single(lines, l => l.Contains(phase));
        Assert.DoesNotContain("[#", target.Run.Stdout);
    }

    [Fact]
    public async Task Generating_again_into_the_same_target_is_refused_naming_the_option_and_changes_nothing()
    {
        Generated();
        var option = target.TargetArgs[0];
        var audit = await target.WithDb(db => db.AuditEntries.CountAsync());
        var again = await CliRun.RunAsync(["generate", "--scale", "small", .. target.TargetArgs, "--password", "Another-pass-2023"]);
        Assert.Equal(1, again.Code);
        Assert.Contains(option, again.Stderr);
        Assert.Contains("不会覆盖", again.Stderr);
        Assert.Contains("never overwritten", again.Stderr);
        Assert.Equal("", again.Stdout);
        Assert.Equal(Small.Units, await target.WithDb(db => db.Units.CountAsync()));
        Assert.Equal(audit, await target.WithDb(db => db.AuditEntries.CountAsync()));
    }

    [Fact]
    public async Task The_application_serves_the_generated_data_to_the_office_account()
    {
        Generated();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            foreach (var (key, value) in target.AppSettings) b.UseSetting(key, value);
            b.UseSetting("Kaohe:AdminPassword", AppFixture.AdminPassword);
        });
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var wrong = await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "office", password = target.OfficePassword + "x" });
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, wrong.StatusCode);
        var login = await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "office", password = target.OfficePassword });
        Assert.True(login.IsSuccessStatusCode, await login.Content.ReadAsStringAsync());
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var expected = Engine.Score(Workload.Assessment).Result!;
        var unit = expected.Units[^1];
        var response = await client.GetAsync($"/api/v1/results/2023-Q1/housing?unit={unit.Id}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var ranking = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Workload.GroupCount, ranking.GetProperty("groups").GetArrayLength());
        var rows = ranking.GetProperty("units").EnumerateArray().ToList();
        Assert.Equal(unit.GroupSize, rows.Count);
        var row = rows.Single(r => r.GetProperty("id").GetString() == unit.Id);
        Assert.Equal((unit.RoundedTotal, unit.Rank), (row.GetProperty("total").GetDouble(), row.GetProperty("rank").GetInt32()));
    }

    [Fact]
    public async Task The_survey_tally_mark_is_a_full_count_of_the_answers_so_the_first_count_after_a_start_reads_none_of_them()
    {
        Generated();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            foreach (var (key, value) in target.AppSettings) b.UseSetting(key, value);
            b.UseSetting("Kaohe:AdminPassword", AppFixture.AdminPassword);
        });
        var cache = factory.Services.GetRequiredService<SurveyCountsCache>();
        using var scope = factory.Services.CreateScope();
        var surveys = scope.ServiceProvider.GetRequiredService<SurveyService>();
        // As /Surveys after a start: from the generated mark, adding the answers above its highest id (none).
        var marked = await surveys.ComputeAsync("2023-Q1");
        Assert.Equal(0, cache.Readings);
        // As the tally job: every answer read and counted.
        var counted = await surveys.ComputeAsync("2023-Q1", progress: new Progress<TallyProgress>(_ => { }));
        Assert.Equal(1, cache.Readings);
        Assert.Equal(Small.Responses, counted!.Value.Responses);
        Assert.Equal(counted.Value.Responses, marked!.Value.Responses);
        Assert.Equal(counted.Value.Counts.Keys.Order(), marked.Value.Counts.Keys.Order());
        foreach (var (unit, counts) in counted.Value.Counts) Assert.Equal(counts.OrderBy(kv => kv.Key), marked.Value.Counts[unit].OrderBy(kv => kv.Key));
    }
}

public sealed class SqliteGenerateTests(SqliteTarget target) : GenerateTests<SqliteTarget>(target);

public sealed class PostgresGenerateTests(PostgresTarget target) : GenerateTests<PostgresTarget>(target);

/// <summary>Wrong options: exit 1, a message in both languages naming the option, and nothing written.</summary>
public sealed class GenerateUsageTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "kaohe-generate-usage-" + Guid.NewGuid().ToString("N"));

    public GenerateUsageTests() => Directory.CreateDirectory(_work);

    private string Target => Path.Combine(_work, "data");

    public static TheoryData<string[], string[]> Wrong => new()
    {
        { ["--scale", "huge", "--out", "{dir}"], ["--scale", "national", "small", "huge"] },
        { ["--out", "{dir}"], ["--scale"] },
        { ["--scale", "small"], ["--out", "--postgres"] },
        { ["--scale", "small", "--out", "{dir}", "--postgres", "Host=127.0.0.1;Database=x"], ["--out", "--postgres", "只能指定一个", "only one"] },
        { ["--scale", "small", "--out", "{dir}", "--scael", "national"], ["--scael", "无法识别", "Unrecognized"] },
        { ["--scale", "small", "--out"], ["--out", "缺少取值", "missing"] },
        { ["--scale", "small", "--out", "{dir}", "--password", "short1A"], ["--password", "10"] },
        { ["--scale", "small", "--out", "{dir}", "--password", "alllowercase123"], ["--password"] },
        { ["--scale", "small", "--postgres", "Host=127.0.0.1;Nonsense Key=1"], ["--postgres"] },
        { ["--scale", "small", "--scale", "national", "--out", "{dir}"], ["--scale", "只能给一次", "expects a single argument"] },
        { ["--scale", "small", "{dir}"], ["无法识别", "Unrecognized"] },
    };

    [Theory]
    [MemberData(nameof(Wrong))]
    public async Task A_wrong_option_is_named_and_nothing_is_written(string[] args, string[] mentioned)
    {
        var run = await CliRun.RunAsync(["generate", .. args.Select(a => a.Replace("{dir}", Target))]);
        Assert.Equal(1, run.Code);
        foreach (var m in mentioned) Assert.Contains(m, run.Stderr);
        Assert.Contains("kaohe generate --help 查看用法 / run kaohe generate --help for usage", run.Stderr);
        Assert.Equal("", run.Stdout);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_work));
    }

    [Fact]
    public async Task A_non_empty_directory_is_refused_and_left_as_it_was()
    {
        Directory.CreateDirectory(Target);
        var keep = Path.Combine(Target, "notes.txt");
        await File.WriteAllTextAsync(keep, "考核办的笔记");
        var run = await CliRun.RunAsync("generate", "--scale", "small", "--out", Target);
        Assert.Equal(1, run.Code);
        Assert.Contains("--out", run.Stderr);
        Assert.Contains("不为空", run.Stderr);
        Assert.Contains("not empty", run.Stderr);
        Assert.Equal([keep], Directory.GetFileSystemEntries(Target));
        Assert.Equal([Target], Directory.GetFileSystemEntries(_work)); // no half-written sibling either
        Assert.Equal("考核办的笔记", await File.ReadAllTextAsync(keep));
    }

    [Fact]
    public async Task A_postgres_server_out_of_reach_is_named_before_anything_is_written()
    {
        var run = await CliRun.RunAsync("generate", "--scale", "small", "--postgres", "Host=127.0.0.1;Port=1;Username=x;Database=kaohe_nowhere;Timeout=2");
        Assert.Equal(1, run.Code);
        Assert.Contains("无法连接 --postgres", run.Stderr);
        Assert.Contains("cannot connect to the server of --postgres", run.Stderr);
        Assert.DoesNotContain("迁移", run.Stderr); // no phase started
        Assert.Equal("", run.Stdout);
    }

    /// <summary>Stderr that cancels the run when the progress reaches a phase, as Ctrl+C would then.</summary>
    private sealed class CancelAt(string phase, CancellationTokenSource cts) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains(phase) == true) cts.Cancel();
        }
    }

    [Fact]
    public async Task A_run_cancelled_half_way_leaves_no_directory_behind()
    {
        using var cts = new CancellationTokenSource();
        var stderr = new CancelAt("数据 / facts 2023-Q2", cts);
        var stdout = new StringWriter();
        var code = await Task.Run(() => Kaohe.Cli.Generate.Run(["--scale", "small", "--out", Target], stdout, stderr, cts.Token));
        Assert.Equal(1, code);
        Assert.Contains("数据 / facts 2023-Q1", stderr.ToString()); // it had written a quarter
        Assert.Contains("已取消，未写入任何数据 / cancelled: nothing was written", stderr.ToString());
        Assert.DoesNotContain("整改事项", stderr.ToString());
        Assert.Equal("", stdout.ToString());
        SqliteConnection.ClearAllPools();
        Assert.Empty(Directory.EnumerateFileSystemEntries(_work)); // neither DIR nor its half-written sibling
    }

    [Fact]
    public async Task An_empty_directory_is_taken_and_the_given_password_is_not_printed()
    {
        Directory.CreateDirectory(Target);
        var run = await CliRun.RunAsync("generate", "--scale", "small", "--out", Target, "--password", "Given-pass-2023");
        Assert.True(run.Code == 0, run.Stderr);
        Assert.DoesNotContain("Given-pass-2023", run.Stdout + run.Stderr);
        Assert.True(File.Exists(Path.Combine(Target, "kaohe.db")));
        Assert.Equal([Target], Directory.GetFileSystemEntries(_work));
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public void The_scales_promise_what_issue_9_and_the_tests_need()
    {
        Assert.Equal((3_000, 1_000_000, 50_000), (WorkloadScale.National.Units, WorkloadScale.National.Responses, WorkloadScale.National.RectificationItems));
        Assert.Equal((60, 3_000, 300), (WorkloadScale.Small.Units, WorkloadScale.Small.Responses, WorkloadScale.Small.RectificationItems));
        Assert.Same(WorkloadScale.Small, WorkloadScale.Find("small"));
        Assert.Null(WorkloadScale.Find("National"));
    }

    [Fact]
    public async Task The_usage_text_names_the_verb_in_both_languages()
    {
        var run = await CliRun.RunAsync("--help");
        Assert.Equal(0, run.Code);
        Assert.Matches(@"generate\s+生成测试数据集.* / write a generated dataset", run.Stdout);
        var verb = await CliRun.RunAsync("generate", "--help");
        Assert.Equal(0, verb.Code);
        Assert.Matches(@"--scale <national\|small>\s+规模.* / the scale", verb.Stdout);
        Assert.Matches(@"--survey-codes <N>\s+.*问卷码", verb.Stdout);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_work, recursive: true);
    }
}
