using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Kaohe.Data.Postgres;

/// <summary>The PostgreSQL context; its migrations are in this assembly.</summary>
public sealed class PostgresKaoheDbContext(DbContextOptions<PostgresKaoheDbContext> options) : KaoheDbContext(options)
{
    public override bool IsPostgres => true;

    /// <summary>The compiled model (CompiledModel/, scripts/compiled-model.sh), as for SQLite.</summary>
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        base.OnConfiguring(optionsBuilder);
#if !NO_COMPILED_MODEL
        optionsBuilder.UseModel(CompiledModel.PostgresKaoheDbContextModel.Instance);
#endif
    }
}

/// <summary>For <c>dotnet ef migrations add X --project src/Kaohe.Data.Postgres --startup-project src/Kaohe.Data.Postgres --output-dir Migrations</c>.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresKaoheDbContext>
{
    public PostgresKaoheDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresKaoheDbContext>().UseNpgsql("Host=127.0.0.1;Database=kaohe_design").Options);
}
