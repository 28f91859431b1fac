using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Kaohe.Web.Features.Periods;

public sealed record NextPeriodRequest(string? From, DateOnly? Deadline);

/// <summary>A period just published: it now collects data.</summary>
public sealed record PeriodPublished(string Period, string Status);

/// <summary>考核期设置 for the office: open the next quarter from the previous one, then publish it.</summary>
public static class PeriodsApi
{
    public static IServiceCollection AddPeriods(this IServiceCollection services) => services.AddScoped<PeriodSetup>();

    public static void MapPeriodsApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/periods");
        g.MapPost("/next", Next).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).NotPeriodInputs("sets up a planned period (draft schemes, assignments, sites, rules); the year's issued target letters write their targets into it, which a planned quarter always takes as set-up (the letters' own endpoints carry the stage rules)")
            .WithSummary("从上一期复制设置下一考核期 / set up the next period from the previous one (schemes, assignments, survey sites and quotas, rule tables)");
        g.MapPost("/{id}/publish", Publish).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).NotPeriodInputs("moves the stage (Planned to Collecting); its own rule refuses a period already open")
            .WithSummary("发布考核期：启用方案并开始数据收集 / publish a period: activate its schemes and start collection");
    }

    private static async Task<Results<Ok<PeriodCopy>, Created<PeriodCopy>, ProblemHttpResult>> Next(NextPeriodRequest? request, PeriodSetup setup, bool? dryRun = null)
    {
        var outcome = dryRun == true
            ? await setup.PreviewAsync(request?.From, request?.Deadline)
            : await setup.CreateNextAsync(request?.From, request?.Deadline);
        if (outcome.Failure is { } f) return f.ToProblem();
        return dryRun == true ? TypedResults.Ok(outcome.Copy!) : TypedResults.Created($"/api/v1/periods/{outcome.Copy!.To}", outcome.Copy);
    }

    private static async Task<Results<Ok<PeriodPublished>, ProblemHttpResult>> Publish(string id, PeriodSetup setup)
    {
        var failure = await setup.PublishAsync(id);
        return failure is null ? TypedResults.Ok(new PeriodPublished(id, "Collecting")) : failure.ToProblem();
    }
}
