using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Features.Adjustments;
using Kaohe.Web.Features.Collection;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Inspections;
using Kaohe.Web.Features.Publication;
using Kaohe.Web.Features.Rectification;
using Kaohe.Web.Features.Targets;
using Kaohe.Web.Infrastructure;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Access;

/// <summary>
/// The handlers of unit-scoped resources (docs/architecture.md, "Authorization by resource"), asked through the
/// application's own <see cref="IAuthorizationService"/> as every demo account (its principal made by the
/// application's claims factory from the stored account) about every resource of the demo, and of a few added here:
/// each answer must be the table's (docs/visibility.md, written out below per kind: role × own or other unit ×
/// operation), every cell of the table must have been met, and the list filter beside each handler must return
/// exactly the resources the handler lets the person read.
/// </summary>
public abstract class ResourceAuthorizationTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture
{
    private sealed record Person(string Account, string Role, string? Unit, string Name, ClaimsPrincipal User);

    private static readonly OperationAuthorizationRequirement Read = UnitOperations.Read, Act = UnitOperations.Act;

    /// <summary>One answer met: role, own unit's resource or not, operation, allowed.</summary>
    private readonly record struct Cell(string Role, bool Own, string Op, bool Allowed);

    private sealed class Run(IServiceScope scope, List<Person> people)
    {
        public KaoheDbContext Db { get; } = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        public IAuthorizationService Auth { get; } = scope.ServiceProvider.GetRequiredService<IAuthorizationService>();
        public IServiceProvider Services => scope.ServiceProvider;
        public List<Person> People => people;
        public HashSet<Cell> Cells { get; } = [];
        public List<string> Wrong { get; } = [];
    }

    private async Task<(IServiceScope Scope, Run Run)> OpenAsync()
    {
        var scope = app.Factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var factory = scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<AppUser>>();
        var people = new List<Person>();
        foreach (var a in Kaohe.Web.Features.Demo.DemoSeeder.Accounts)
        {
            var user = await users.FindByNameAsync(a.UserName);
            Assert.NotNull(user);
            people.Add(new Person(a.UserName, a.Role, a.UnitId, a.UserName, await factory.CreateAsync(user!)));
        }
        return (scope, new Run(scope, people));
    }

    /// <summary>
    /// Asks the handler about every (person, resource, operation); <paramref name="expected"/> is the table (null where the
    /// table says "the database decides": then only the list filter is the reference). <paramref name="visible"/> is the list
    /// filter: the ids among <paramref name="resources"/> it returns for the person.
    /// </summary>
    private static async Task CheckAsync<T>(Run run, string kind, IReadOnlyList<T> resources, Func<T, string> id, Func<T, string?> unit,
        OperationAuthorizationRequirement[] ops, Func<Person, T, bool, OperationAuthorizationRequirement, bool?> expected,
        Func<Person, Task<HashSet<string>>>? visible) where T : notnull
    {
        Assert.NotEmpty(resources);
        foreach (var p in run.People)
        {
            var readable = new HashSet<string>();
            foreach (var r in resources)
                foreach (var op in ops)
                {
                    var own = p.Unit is not null && unit(r) == p.Unit;
                    var allowed = await run.Auth.MayAsync(p.User, r, op);
                    if (op == Read && allowed) readable.Add(id(r));
                    run.Cells.Add(new Cell(p.Role, own, op.Name, allowed));
                    if (expected(p, r, own, op) is { } want && want != allowed)
                        run.Wrong.Add($"{kind} {id(r)} (unit {unit(r)}): {p.Account} {op.Name} gave {allowed}, the table says {want}");
                }
            if (visible is null) continue;
            var listed = await visible(p);
            listed.IntersectWith(resources.Select(id));
            foreach (var x in readable.Except(listed)) run.Wrong.Add($"{kind} {x}: {p.Account} may read it, but its list filter leaves it out");
            foreach (var x in listed.Except(readable)) run.Wrong.Add($"{kind} {x}: {p.Account}'s list filter returns it, but the handler refuses it");
        }
    }

    private static void Verdict(Run run, params Cell[] mustMeet)
    {
        Assert.True(run.Wrong.Count == 0, $"{run.Wrong.Count} wrong answers:\n" + string.Join("\n", run.Wrong.Take(30)));
        var missing = mustMeet.Where(c => !run.Cells.Contains(c)).ToList();
        Assert.True(missing.Count == 0, "cells of the table the data never met (the test would prove nothing there):\n" + string.Join("\n", missing));
    }

    private static bool People(string role) => role is Roles.Office or Roles.Leader or Roles.Viewer;

    [Fact]
    public async Task Rectification_items_answer_as_the_table_and_the_ledger_lists_what_the_handler_allows()
    {
        await app.WithDb(async db =>
        {
            var at = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
            foreach (var u in new[] { "zj-lasa", "zj-nyingchi", "cg-lasa", "scc" })
                db.Add(new RectificationItem(u, "2023-Q1", $"权限测试事项 {u}", ItemSources.Manual, null, null, Severities.General, "负责人", new DateOnly(2026, 9, 30), at, "office"));
            return await db.SaveChangesAsync();
        });
        var (scope, run) = await OpenAsync();
        using var _ = scope;
        var items = await run.Db.Set<RectificationItem>().AsNoTracking().OrderBy(i => i.Id).ToListAsync();
        await CheckAsync(run, "rectification item", items, i => i.Id.ToString(), i => i.UnitId, [Read, Act],
            (p, i, own, op) => (op.Name, p.Role) switch
            {
                ("Read", _) when People(p.Role) => true,
                ("Read", Roles.Unit) => own,
                ("Read", Roles.Assessor) => i.SourceKind == ItemSources.Inspection ? (bool?)null : false,
                ("Act", Roles.Office) => true,
                ("Act", Roles.Unit) => own,
                _ => false,
            },
            async p => (await RectificationItemAuthorization.VisibleTo(run.Db, run.Db.Set<RectificationItem>().AsNoTracking(), p.User).Select(i => i.Id).ToListAsync())
                .Select(x => x.ToString()).ToHashSet());
        Verdict(run, new(Roles.Unit, true, "Read", true), new(Roles.Unit, false, "Read", false), new(Roles.Unit, true, "Act", true), new(Roles.Unit, false, "Act", false),
            new(Roles.Office, false, "Act", true), new(Roles.Leader, false, "Act", false), new(Roles.Viewer, false, "Read", true), new(Roles.Division, true, "Read", false),
            new(Roles.Assessor, false, "Read", true), new(Roles.Assessor, false, "Read", false), new(Roles.Assessor, false, "Act", false));
    }

    [Fact]
    public async Task Facts_answer_as_the_table_and_the_facts_api_lists_what_the_handler_allows()
    {
        var (scope, run) = await OpenAsync();
        using var _ = scope;
        string[] units = ["zj-lasa", "zj-nyingchi", "cg-lasa", "scc", "zac"];
        var authors = run.People.Where(p => p.Role is Roles.Leader or Roles.Assessor or Roles.Division).Select(p => p.Name).ToList();
        var facts = await run.Db.Facts.AsNoTracking()
            .Where(f => f.PeriodId == "2023-Q1" && (units.Contains(f.UnitId) || authors.Contains(f.Author))).OrderBy(f => f.Id).ToListAsync();
        await CheckAsync(run, "fact", facts, f => f.Id.ToString(), f => f.UnitId, [Read],
            (p, f, own, op) => p.Role switch
            {
                Roles.Office => true,
                Roles.Viewer => f.Status is FactStatus.Submitted or FactStatus.Verified,
                Roles.Unit => own,
                Roles.Division => f.Author == p.Name ? true : (bool?)null,   // else the assignments decide
                Roles.Leader or Roles.Assessor => f.Author == p.Name,
                _ => false,
            },
            async p => (await run.Db.Facts.AsNoTracking().VisibleTo(p.User, run.Db).Where(f => f.PeriodId == "2023-Q1").Select(f => f.Id).ToListAsync())
                .Select(x => x.ToString()).ToHashSet());
        Verdict(run, new(Roles.Unit, true, "Read", true), new(Roles.Unit, false, "Read", false), new(Roles.Division, false, "Read", true),
            new(Roles.Division, false, "Read", false), new(Roles.Leader, false, "Read", true), new(Roles.Leader, false, "Read", false),
            new(Roles.Assessor, false, "Read", true), new(Roles.Viewer, false, "Read", true), new(Roles.Office, false, "Read", true));
    }

    [Fact]
    public async Task Reports_answer_as_the_table()
    {
        var (scope, run) = await OpenAsync();
        using var _ = scope;
        var reports = await run.Db.Units.AsNoTracking().OrderBy(u => u.Id).Select(u => new UnitReport("2023-Q1", u.Id)).ToListAsync();
        await CheckAsync(run, "report", reports, r => r.UnitId, r => r.UnitId, [Read, Act],
            (p, r, own, op) => (op.Name, p.Role) switch
            {
                ("Read", Roles.Office) => true,
                (_, Roles.Unit or Roles.Division) => own,
                _ => false,
            }, null);
        Verdict(run, new(Roles.Unit, true, "Read", true), new(Roles.Unit, false, "Read", false), new(Roles.Unit, true, "Act", true), new(Roles.Unit, false, "Act", false),
            new(Roles.Division, true, "Act", true), new(Roles.Division, false, "Read", false), new(Roles.Office, false, "Read", true), new(Roles.Office, false, "Act", false),
            new(Roles.Leader, false, "Read", false));
    }

    [Fact]
    public async Task Appeals_answer_as_the_table_and_their_list_is_what_the_handler_allows()
    {
        var (scope, run) = await OpenAsync();
        using var _ = scope;
        var appeals = await run.Db.Set<Appeal>().AsNoTracking().OrderBy(a => a.Id).ToListAsync();
        await CheckAsync(run, "appeal", appeals, a => a.Id.ToString(), a => a.UnitId, [Read],
            (p, a, own, op) => People(p.Role) || (p.Role == Roles.Unit && own),
            async p => (await AppealAuthorization.VisibleTo(run.Db.Set<Appeal>().AsNoTracking(), p.User).Select(a => a.Id).ToListAsync()).Select(x => x.ToString()).ToHashSet());
        Verdict(run, new(Roles.Unit, true, "Read", true), new(Roles.Unit, false, "Read", false), new(Roles.Leader, false, "Read", true),
            new(Roles.Division, false, "Read", false), new(Roles.Assessor, false, "Read", false));
    }

    [Fact]
    public async Task Inspection_findings_answer_as_the_table_and_their_list_is_what_the_handler_allows()
    {
        var (scope, run) = await OpenAsync();
        using var _ = scope;
        var findings = await run.Db.Set<InspectionFinding>().AsNoTracking().OrderBy(f => f.Id).ToListAsync();
        await CheckAsync(run, "finding", findings, f => f.Id.ToString(), f => null, [Read],
            (p, f, own, op) => p.Role switch { Roles.Office => true, Roles.Assessor => null, _ => false },
            async p => (await InspectionFindingAuthorization.VisibleTo(run.Db, run.Db.Set<InspectionFinding>().AsNoTracking(), p.User).Select(f => f.Id).ToListAsync())
                .Select(x => x.ToString()).ToHashSet());
        Verdict(run, new(Roles.Assessor, false, "Read", true), new(Roles.Assessor, false, "Read", false), new(Roles.Unit, false, "Read", false), new(Roles.Leader, false, "Read", false));
    }

    [Fact]
    public async Task Notifications_answer_as_the_table_and_the_inbox_is_what_the_handler_allows()
    {
        await app.WithDb(async db =>
        {
            var at = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
            foreach (var r in new[] { "office", "unit:zj-lasa", "head:zj-lasa", "unit:zj-nyingchi", "head:cg-lasa" })
                db.Add(new Notification(r, null, $"authz-test:{r}", "权限测试", "权限测试提醒", at));
            return await db.SaveChangesAsync();
        });
        var (scope, run) = await OpenAsync();
        using var _ = scope;
        var inbox = await run.Db.Set<Notification>().AsNoTracking().OrderBy(n => n.Id).ToListAsync();
        await CheckAsync(run, "notification", inbox, n => n.Id.ToString(), n => n.Recipient.Contains(':') ? n.Recipient[(n.Recipient.IndexOf(':') + 1)..] : null, [Read],
            (p, n, own, op) => p.Role switch { Roles.Office => n.Recipient == "office", Roles.Unit => own, _ => false },
            async p => (await NotificationAuthorization.VisibleTo(run.Db.Set<Notification>().AsNoTracking(), p.User).Select(n => n.Id).ToListAsync())
                .Select(x => x.ToString()).ToHashSet());
        Verdict(run, new(Roles.Unit, true, "Read", true), new(Roles.Unit, false, "Read", false), new(Roles.Office, false, "Read", true), new(Roles.Office, false, "Read", false),
            new(Roles.Leader, false, "Read", false), new(Roles.Division, false, "Read", false));
    }

    [Fact]
    public async Task Adjustments_answer_as_the_table_and_their_list_is_what_the_handler_allows()
    {
        var (scope, run) = await OpenAsync();
        using var _ = scope;
        var events = await run.Db.Set<AdjustmentEvent>().AsNoTracking().OrderBy(e => e.Id).ToListAsync();
        await CheckAsync(run, "adjustment", events, e => e.Id.ToString(), e => e.UnitId, [Read],
            (p, e, own, op) => p.Role switch
            {
                Roles.Office => true,
                Roles.Unit => own && e.Status == AdjustmentEventStatus.Approved,
                Roles.Leader or Roles.Viewer => e.Status == AdjustmentEventStatus.Approved,
                _ => false,
            },
            async p => (await run.Db.Set<AdjustmentEvent>().AsNoTracking().VisibleTo(p.User).Select(e => e.Id).ToListAsync()).Select(x => x.ToString()).ToHashSet());
        Verdict(run, new(Roles.Unit, true, "Read", true), new(Roles.Unit, false, "Read", false), new(Roles.Leader, false, "Read", true), new(Roles.Division, false, "Read", false));
    }

    [Fact]
    public async Task Target_letters_and_key_tasks_answer_as_the_table_and_the_letter_list_is_what_the_handler_allows()
    {
        var (scope, run) = await OpenAsync();
        using var _ = scope;
        var service = run.Services.GetRequiredService<TargetLetterService>();
        var letters = await run.Db.TargetLetters.AsNoTracking().OrderBy(l => l.Id).ToListAsync();
        await CheckAsync(run, "target letter", letters, l => l.Id.ToString(), l => l.UnitId, [Read, Act],
            (p, l, own, op) => (op.Name, p.Role) switch
            {
                ("Read", Roles.Office) => true,
                ("Read", Roles.Leader or Roles.Viewer) => l.Version > 0,
                ("Read", Roles.Unit) => l.Version > 0 && own,
                ("Read", Roles.Division) => l.Version == 0 ? false : own ? true : (bool?)null,   // else: does a task name it as assessor
                ("Act", Roles.Unit or Roles.Division) => l.Version > 0 && own,
                _ => false,
            },
            // The letters page lists VisibleTo, and a division's letters to assess beside them.
            async p =>
            {
                var ids = (await run.Db.TargetLetters.AsNoTracking().VisibleTo(p.User).Select(l => l.Id).ToListAsync()).Select(x => x.ToString()).ToHashSet();
                if (p.Role == Roles.Division) ids.UnionWith((await TargetLettersApi.AssignedToAsync(service, p.Unit!)).Select(x => x.Letter.Id.ToString()));
                return ids;
            });
        var tasks = letters.SelectMany(l => LetterContent.Parse(l.Content).Tasks).ToList();
        await CheckAsync(run, "key task", tasks, t => t.Id + "@" + t.Assessor, t => t.Assessor, [Act],
            (p, t, own, op) => p.Role == Roles.Office || (p.Role == Roles.Division && own), null);
        Verdict(run, new(Roles.Unit, true, "Act", true), new(Roles.Unit, false, "Act", false), new(Roles.Unit, false, "Read", false), new(Roles.Leader, false, "Act", false),
            new(Roles.Division, false, "Read", true), new(Roles.Division, false, "Read", false), new(Roles.Division, true, "Act", true), new(Roles.Division, false, "Act", false));
    }
}

public sealed class ResourceAuthorizationTestsOnSqlite(SqliteApp app) : ResourceAuthorizationTests<SqliteApp>(app);

public sealed class ResourceAuthorizationTestsOnPostgres(PostgresApp app) : ResourceAuthorizationTests<PostgresApp>(app);
