using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kaohe.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Rectification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "FactId",
                table: "RectificationItems",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "MergedIntoId",
                table: "RectificationItems",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "RequiresReinspection",
                table: "RectificationItems",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "ReturnReason",
                table: "RectificationItems",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "SplitFromId",
                table: "RectificationItems",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "SubmittedAt",
                table: "RectificationItems",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Notifications",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Recipient = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    ItemId = table.Column<long>(type: "INTEGER", nullable: true),
                    Key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Body = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ReadAt = table.Column<long>(type: "INTEGER", nullable: true),
                    EmailClaimedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    EmailResult = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Notifications", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RectificationEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ItemId = table.Column<long>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    MilestoneId = table.Column<long>(type: "INTEGER", nullable: true),
                    Note = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    By = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Evidence = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RectificationEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RectificationEvents_RectificationItems_ItemId",
                        column: x => x.ItemId,
                        principalTable: "RectificationItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RectificationPolicies",
                columns: table => new
                {
                    Category = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    PointsPerItem = table.Column<double>(type: "REAL", nullable: false),
                    Cap = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RectificationPolicies", x => x.Category);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RectificationItems_PeriodId_UnitId_Status",
                table: "RectificationItems",
                columns: new[] { "PeriodId", "UnitId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_RectificationItems_SourceRef",
                table: "RectificationItems",
                column: "SourceRef",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Notifications_Key_Recipient",
                table: "Notifications",
                columns: new[] { "Key", "Recipient" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Notifications_Recipient_ReadAt",
                table: "Notifications",
                columns: new[] { "Recipient", "ReadAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RectificationEvents_ItemId",
                table: "RectificationEvents",
                column: "ItemId");

            migrationBuilder.AddForeignKey(
                name: "FK_RectificationItems_Periods_PeriodId",
                table: "RectificationItems",
                column: "PeriodId",
                principalTable: "Periods",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_RectificationItems_Periods_PeriodId",
                table: "RectificationItems");

            migrationBuilder.DropTable(
                name: "Notifications");

            migrationBuilder.DropTable(
                name: "RectificationEvents");

            migrationBuilder.DropTable(
                name: "RectificationPolicies");

            migrationBuilder.DropIndex(
                name: "IX_RectificationItems_PeriodId_UnitId_Status",
                table: "RectificationItems");

            migrationBuilder.DropIndex(
                name: "IX_RectificationItems_SourceRef",
                table: "RectificationItems");

            migrationBuilder.DropColumn(
                name: "FactId",
                table: "RectificationItems");

            migrationBuilder.DropColumn(
                name: "MergedIntoId",
                table: "RectificationItems");

            migrationBuilder.DropColumn(
                name: "RequiresReinspection",
                table: "RectificationItems");

            migrationBuilder.DropColumn(
                name: "ReturnReason",
                table: "RectificationItems");

            migrationBuilder.DropColumn(
                name: "SplitFromId",
                table: "RectificationItems");

            migrationBuilder.DropColumn(
                name: "SubmittedAt",
                table: "RectificationItems");
        }
    }
}
