using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kaohe.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Collection : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Late",
                table: "Facts",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "ReviewedAt",
                table: "Facts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReviewedBy",
                table: "Facts",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "SubmittedAt",
                table: "Facts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ScoringClosure",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PeriodId = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ClosedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ScoringClosure", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ScoringClosure_Periods_PeriodId",
                        column: x => x.PeriodId,
                        principalTable: "Periods",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ScoringClosure_PeriodId",
                table: "ScoringClosure",
                column: "PeriodId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ScoringClosure");

            migrationBuilder.DropColumn(
                name: "Late",
                table: "Facts");

            migrationBuilder.DropColumn(
                name: "ReviewedAt",
                table: "Facts");

            migrationBuilder.DropColumn(
                name: "ReviewedBy",
                table: "Facts");

            migrationBuilder.DropColumn(
                name: "SubmittedAt",
                table: "Facts");
        }
    }
}
