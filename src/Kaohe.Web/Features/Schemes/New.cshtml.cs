using Kaohe.Scoring;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Schemes;

[NotPeriodInputs("a draft scheme")]
[Authorize(Policy = Policies.Office)]
public sealed class NewModel(KaoheDbContext db, SchemeService schemes) : PageModel
{
    /// <summary>A scheme file is small; anything bigger is not a scheme.</summary>
    public const long MaxBytes = 2 * 1024 * 1024;

    [BindProperty] public string? Category { get; set; }
    [BindProperty] public string? Period { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Document { get; set; }
    [BindProperty] public IFormFile? Upload { get; set; }
    public IReadOnlyList<string> Periods { get; private set; } = [];
    public IReadOnlyList<ValidationError> Errors { get; private set; } = [];

    private async Task LoadAsync() =>
        Periods = await db.Periods.AsNoTracking().OrderBy(p => p.Year).ThenBy(p => p.Quarter).Select(p => p.Id).ToListAsync();

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        await LoadAsync();
        var text = Document;
        IReadOnlyDictionary<string, string>? ruleTexts = null;
        if (Upload is { Length: > 0 } && Upload.FileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
        {
            await using var stream = Upload.OpenReadStream();
            var sheet = SchemeXlsx.Import(stream);
            if (sheet.Errors.Count > 0 || sheet.Indicators is null)
            {
                Errors = sheet.Errors;
                return Page();
            }
            text = sheet.Document(Period ?? "");
            ruleTexts = sheet.RuleTexts;
        }
        else if (Upload is { Length: > 0 })
        {
            if (Upload.Length > MaxBytes)
            {
                Errors = [new("file", $"文件超过 {MaxBytes / 1024 / 1024} MB", $"the file is larger than {MaxBytes / 1024 / 1024} MB")];
                return Page();
            }
            using var reader = new StreamReader(Upload.OpenReadStream());
            text = await reader.ReadToEndAsync();
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            Errors = [new("document", "请上传方案文件或粘贴 JSON", "upload a scheme file or paste the JSON")];
            return Page();
        }
        var outcome = await schemes.CreateAsync(Category ?? "", Period ?? "", string.IsNullOrWhiteSpace(Name) ? "考核方案" : Name.Trim(), text, ruleTexts);
        if (outcome.Failure is { } f)
        {
            Errors = f.Paths();
            Document = text;
            return Page();
        }
        return Redirect($"/Schemes/Detail/{outcome.Scheme!.Id}");
    }
}
