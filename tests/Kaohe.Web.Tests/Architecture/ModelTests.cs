using Kaohe.Data;
using Kaohe.Data.Postgres;
using Kaohe.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Kaohe.Web.Tests.Architecture;

/// <summary>
/// The model each provider's context runs on (issue 20): the compiled one (scripts/compiled-model.sh), which must be the model
/// the configurations build, and which the migrations must cover. The web host's start no longer checks the latter (Infrastructure/Database.cs),
/// so it is checked here. Neither needs a database.
/// </summary>
public sealed class ModelTests
{
    public static TheoryData<string> Providers => new() { "Sqlite", "Postgres" };

    private static List<string> Shape(IModel model) => [.. model.GetRelationalModel().Tables.SelectMany(t =>
            t.Columns.Select(c => $"{t.Name}.{c.Name} {c.StoreType} {(c.IsNullable ? "null" : "not null")}")
                .Concat(t.UniqueConstraints.Select(k => $"{t.Name} key {k.Name} ({string.Join(",", k.Columns.Select(c => c.Name))})"))
                .Concat(t.Indexes.Select(i => $"{t.Name} index {i.Name} ({string.Join(",", i.Columns.Select(c => c.Name))}){(i.IsUnique ? " unique" : "")}"))
                .Concat(t.ForeignKeyConstraints.Select(f => $"{t.Name} fk {f.Name} -> {f.PrincipalTable.Name} {f.OnDeleteAction}")))
        .Order(StringComparer.Ordinal)];

    private static KaoheDbContext Open(string provider) => provider == "Sqlite"
        ? new SqliteKaoheDbContext(new DbContextOptionsBuilder<SqliteKaoheDbContext>().UseSqlite("Data Source=:memory:").Options)
        : new PostgresKaoheDbContext(new DbContextOptionsBuilder<PostgresKaoheDbContext>().UseNpgsql("Host=127.0.0.1;Database=kaohe_model").Options);

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_migrations_cover_the_model(string provider)
    {
        using var db = Open(provider);
        Assert.False(db.Database.HasPendingModelChanges(),
            $"the {provider} model has changes no migration makes: dotnet ef migrations add NAME --project src/Kaohe.Data.{provider} --startup-project src/Kaohe.Data.{provider} --output-dir Migrations");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_context_runs_on_its_compiled_model_which_is_the_model_of_the_configurations(string provider)
    {
        using var db = Open(provider);
        Assert.Equal($"Kaohe.Data.{provider}.CompiledModel", db.Model.GetType().Namespace);
        var configured = db.GetService<IDesignTimeModel>().Model;
        Assert.NotSame(configured, db.Model);
        // The tables, columns (store type, nullability), keys, indexes and foreign keys of both: the schema EF reads and writes by.
        Assert.Equal(Shape(configured), Shape(db.Model));
        Assert.Equal(configured.GetEntityTypes().Select(e => e.Name).Order(StringComparer.Ordinal), db.Model.GetEntityTypes().Select(e => e.Name).Order(StringComparer.Ordinal));
    }
}
