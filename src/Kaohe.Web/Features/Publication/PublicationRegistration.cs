using Kaohe.Web.Features.Attachments;

namespace Kaohe.Web.Features.Publication;

public static class PublicationRegistration
{
    public static IServiceCollection AddPublication(this IServiceCollection services)
    {
        services.AddScoped<Publisher>();
        services.AddSingleton<PublicationHooks>();
        services.AddScoped<Appeals>();
        services.AddScoped<Bulletins>();
        services.AddScoped<DeductionRectificationSource>();
        services.AddScoped<IAttachmentOwnerPolicy, AppealAttachmentPolicy>();
        return services;
    }
}
