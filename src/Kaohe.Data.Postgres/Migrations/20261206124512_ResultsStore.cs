using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kaohe.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ResultsStore : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "Counter",
                table: "ResultsRevisions",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "Structure",
                table: "ResultsRevisions",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "ChangeNo",
                table: "Facts",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateIndex(
                name: "IX_Facts_PeriodId_ChangeNo",
                table: "Facts",
                columns: new[] { "PeriodId", "ChangeNo" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Facts_PeriodId_ChangeNo",
                table: "Facts");

            migrationBuilder.DropColumn(
                name: "Counter",
                table: "ResultsRevisions");

            migrationBuilder.DropColumn(
                name: "Structure",
                table: "ResultsRevisions");

            migrationBuilder.DropColumn(
                name: "ChangeNo",
                table: "Facts");
        }
    }
}
