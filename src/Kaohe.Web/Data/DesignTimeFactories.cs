using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Kaohe.Web.Data;

/// <summary>For <c>dotnet ef migrations add X --context SqliteKaoheDbContext --output-dir Data/Migrations/Sqlite</c>.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteKaoheDbContext>
{
    public SqliteKaoheDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteKaoheDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>For <c>dotnet ef migrations add X --context PostgresKaoheDbContext --output-dir Data/Migrations/Postgres</c>.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresKaoheDbContext>
{
    public PostgresKaoheDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresKaoheDbContext>().UseNpgsql("Host=127.0.0.1;Database=kaohe_design").Options);
}
