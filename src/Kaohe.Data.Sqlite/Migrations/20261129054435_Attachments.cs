using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kaohe.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Attachments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "OwnerId",
                table: "Attachments",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "OwnerKind",
                table: "Attachments",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateIndex(
                name: "IX_Attachments_OwnerKind_OwnerId",
                table: "Attachments",
                columns: new[] { "OwnerKind", "OwnerId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Attachments_OwnerKind_OwnerId",
                table: "Attachments");

            migrationBuilder.DropColumn(
                name: "OwnerId",
                table: "Attachments");

            migrationBuilder.DropColumn(
                name: "OwnerKind",
                table: "Attachments");
        }
    }
}
