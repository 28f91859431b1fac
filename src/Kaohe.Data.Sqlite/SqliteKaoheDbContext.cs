using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Kaohe.Data.Sqlite;

/// <summary>
/// The SQLite context: its conventions and, in this assembly, its migrations (EF looks for a context's
/// migrations in the context's own assembly, so no MigrationsAssembly setting is needed anywhere).
/// </summary>
public sealed class SqliteKaoheDbContext(DbContextOptions<SqliteKaoheDbContext> options) : KaoheDbContext(options)
{
    public override bool IsPostgres => false;

    /// <summary>
    /// The compiled model (CompiledModel/, scripts/compiled-model.sh), so that a start does not build the model from
    /// the configurations (issue 20); ./test.sh checks that it is current. The EfDesign build leaves it out.
    /// </summary>
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        base.OnConfiguring(optionsBuilder);
#if !NO_COMPILED_MODEL
        optionsBuilder.UseModel(CompiledModel.SqliteKaoheDbContextModel.Instance);
#endif
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        // SQLite has no date-time-with-offset type: store UTC ticks so that ordering and comparison work in SQL.
        configuration.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}

/// <summary>For <c>dotnet ef migrations add X --project src/Kaohe.Data.Sqlite --startup-project src/Kaohe.Data.Sqlite --output-dir Migrations</c>.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteKaoheDbContext>
{
    public SqliteKaoheDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteKaoheDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
