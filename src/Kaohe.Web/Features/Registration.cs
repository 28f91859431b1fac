using Kaohe.Data;
using Kaohe.Web.Features.Accounts;
using Kaohe.Web.Features.Adjustments;
using Kaohe.Web.Features.Attachments;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Catalog;
using Kaohe.Web.Features.Collection;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Features.Periods;
using Kaohe.Web.Features.Platform;
using Kaohe.Web.Features.Inspections;
using Kaohe.Web.Features.Rectification;
using Kaohe.Web.Features.Publication;
using Kaohe.Web.Features.Insight;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Jobs;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Features.Surveys;
using Kaohe.Web.Features.Targets;
using Kaohe.Web.Infrastructure;

namespace Kaohe.Web.Features;

/// <summary>One AddXxx and one MapXxx per feature area.</summary>
public static class Registration
{
    public static IServiceCollection AddKaoheFeatures(this IServiceCollection services)
    {
        services.AddScoped<AuditLog>();
        services.AddScoped<SchemeService>();
        services.AddScoped<AccountAdmin>();
        services.AddSingleton<IAttachmentStore, FileSystemAttachmentStore>();
        services.AddHostedService<AttachmentSweeper>();
        services.AddScoped<IAttachmentOwnerPolicy, FactAttachmentPolicy>();
        services.AddFacts();
        services.AddAdjustments();
        services.AddInspections();
        services.AddSurveys();
        services.AddCollection();
        services.AddRectification();
        services.AddPublication();
        services.AddInsight();
        services.AddPeriods();
        services.AddResults();
        services.AddJobs();
        services.AddTargets();
        return services;
    }

    public static void MapKaoheFeatures(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Kaohe").RefuseMalformedForms();
        api.MapAccountsApi();
        api.MapApiKeysApi();
        api.MapCatalogApi();
        api.MapSchemesApi();
        api.MapFactsApi();
        api.MapAuditApi();
        api.MapAttachmentsApi();
        api.MapAdjustmentsApi();
        api.MapPlatformApi();
        api.MapInspectionsApi();
        api.MapSurveysApi();
        api.MapCollectionApi();
        api.MapRectificationApi();
        api.MapPublicationApi();
        api.MapBulletinDownloads();
        api.MapInsightApi();
        api.MapPeriodsApi();
        api.MapResultsApi();
        api.MapJobsApi();
        api.MapTargetLettersApi();
    }
}
