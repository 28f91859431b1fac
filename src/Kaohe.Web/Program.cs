using Kaohe.Web.Features;
using Kaohe.Web.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
builder.AddKaoheHosting(args);
builder.Services.AddKaoheDatabase(builder.Configuration);
builder.Services.AddKaoheAuth(builder.Configuration);
builder.Services.AddKaoheOidc(builder.Configuration);
builder.Services.AddKaoheMetrics(builder.Configuration);
builder.Services.AddKaoheWeb();
builder.Services.AddKaoheFeatures();

var app = builder.Build();
app.UseKaoheMetrics();
app.UseKaoheWeb();
app.MapKaoheOidc();
app.MapKaoheFeatures();
await app.InitializeKaoheAsync();
app.Run();

public partial class Program;
