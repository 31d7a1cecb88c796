import { describe, expect, it } from "vitest";
import { analyzeChangeSet } from "../../../src/analyze.js";
import type { Finding } from "../../../src/model/finding.js";
import { MemorySource, type Tree } from "../../../src/source/memory.js";

/** The findings of the engine's run over a base and a head tree. */
async function scan(base: Tree, head: Tree, failReads?: (path: string) => boolean): Promise<Finding[]> {
  const source = new MemorySource(base, head, failReads ? { failReads: (_side, path) => failReads(path) } : {});
  return (await analyzeChangeSet(source)).findings;
}

const at = (findings: Finding[]) => findings.map((f) => `${f.rule}:${f.line}:${f.severity}`);

// A small Supabase-style history: plain PostgreSQL files, timestamp versions.
const SUPABASE = {
  "supabase/migrations/20240105093000_profiles.sql": [
    "create table if not exists public.profiles (",
    "  id uuid primary key references auth.users (id) on delete cascade,",
    "  username text unique,",
    "  display_name varchar(80) not null,",
    "  updated_at timestamptz default now()",
    ");",
    "",
    "alter table public.profiles enable row level security;",
    "",
  ].join("\n"),
  "supabase/migrations/20240112120000_avatars.sql": "alter table public.profiles add column avatar_url text;\n",
};

const NOTES = [
  "create table if not exists public.notes (",
  "  id bigint generated always as identity primary key,",
  "  owner uuid not null references public.profiles (id),",
  "  body text",
  ");",
  "",
  "create index notes_owner_idx on public.notes (owner);",
  "create index if not exists notes_body_idx on public.notes using gin (to_tsvector('simple', body));",
  "",
].join("\n");

describe("CREATE TABLE IF NOT EXISTS judged against the schema at base", () => {
  it("is a new table when no migration at base creates it: its indexes do not block", async () => {
    const head = { ...SUPABASE, "supabase/migrations/20240201080000_notes.sql": NOTES };
    expect(at(await scan(SUPABASE, head))).toEqual([]);
  });

  it("still loses rows when dropped: a table made outside the migrations survives IF NOT EXISTS", async () => {
    // The way an agent would hide a DROP: "create" the table first, so that it looks new.
    const head = { ...SUPABASE, "supabase/migrations/20240201080000_notes.sql": `${NOTES}drop table public.notes;\n` };
    const found = await scan(SUPABASE, head);
    expect(at(found)).toEqual([`sql/drop-table:${NOTES.split("\n").length}:critical`]);
    expect(found[0]!.message).toMatch(/created with IF NOT EXISTS in this change, and where it already exists outside the migrations its rows are lost/);
  });

  it("stays an existing table when the history at base creates it", async () => {
    const head = {
      ...SUPABASE,
      "supabase/migrations/20240201080000_profiles_again.sql": "create table if not exists public.profiles (id uuid primary key);\ncreate index profiles_username_idx on public.profiles (username);\n",
    };
    expect(at(await scan(SUPABASE, head))).toEqual(["sql/blocking-index:2:medium"]);
  });

  it("falls back to possibly existing, and says why, when a migration at base cannot be read", async () => {
    const head = { ...SUPABASE, "supabase/migrations/20240201080000_notes.sql": NOTES };
    const found = await scan(SUPABASE, head, (path) => path.endsWith("_avatars.sql"));
    const index = found.filter((f) => f.rule === "sql/blocking-index");
    expect(index.map((f) => f.line)).toEqual([7, 8]);
    expect(index[0]!.message).toMatch(/IF NOT EXISTS earlier cannot tell whether it is new, because the migrations at base could not all be followed: .*_avatars\.sql could not be read/);
    // The unreadable file is a finding of its own, as before.
    expect(found.some((f) => f.rule === "gate/incomplete-analysis" && f.file.endsWith("_avatars.sql"))).toBe(true);
  });

  it("falls back when a migration at base runs code the model cannot follow", async () => {
    const base = {
      ...SUPABASE,
      "supabase/migrations/20240120100000_dynamic.sql": "do $$ begin execute 'create table ' || 'notes' || ' (id int)'; end $$;\n",
    };
    const head = { ...base, "supabase/migrations/20240201080000_notes.sql": NOTES };
    const index = (await scan(base, head)).filter((f) => f.rule === "sql/blocking-index");
    expect(index.map((f) => f.line)).toEqual([7, 8]);
    expect(index[0]!.message).toMatch(/_dynamic\.sql:1: DO runs code the model cannot follow/);
  });

  it("falls back for a table in a schema the history does not create (it may exist outside the migrations)", async () => {
    const head = { ...SUPABASE, "supabase/migrations/20240201080000_audit.sql": "create table if not exists audit.log (id bigint);\ncreate index log_id_idx on audit.log (id);\n" };
    const found = await scan(SUPABASE, head);
    expect(at(found)).toEqual(["sql/blocking-index:2:medium"]);
    expect(found[0]!.message).toMatch(/its schema audit is not created by the migrations at base/);
  });

  it("falls back when the history alters a table that no migration creates (it is not the whole history)", async () => {
    const base = { "db/migrations/000002_add_flag.up.sql": "ALTER TABLE accounts ADD COLUMN flagged boolean;\n" };
    const head = { ...base, "db/migrations/000003_events.up.sql": "CREATE TABLE IF NOT EXISTS events (id bigint);\nCREATE INDEX events_id ON events (id);\n" };
    const found = await scan(base, head);
    expect(at(found)).toEqual(["sql/blocking-index:2:medium"]);
    expect(found[0]!.message).toMatch(/alters accounts, which no migration before it creates/);
  });

  it("keeps the judgement of today without a history to model", async () => {
    const head = { "supabase/migrations/20240201080000_notes.sql": NOTES };
    const found = await scan({}, head);
    expect(at(found)).toEqual(["sql/blocking-index:7:medium", "sql/blocking-index:8:medium"]);
    expect(found[0]!.message).not.toMatch(/IF NOT EXISTS/);
  });
});

describe("a column type change judged against the column at base", () => {
  const base = {
    "db/migrations/000001_users.up.sql": "CREATE TABLE users (\n  id bigserial PRIMARY KEY,\n  email varchar(255) NOT NULL,\n  bio text,\n  score integer\n);\n",
    "db/migrations/000001_users.down.sql": "DROP TABLE users;\n",
  };

  it("says from what to what, and that a narrowing loses data", async () => {
    const head = { ...base, "db/migrations/000002_bio.up.sql": "ALTER TABLE users ALTER COLUMN bio TYPE varchar(160);\n" };
    const found = await scan(base, head);
    expect(at(found)).toEqual(["sql/column-type-change:1:high"]);
    expect(found[0]!.message).toBe("Changes the type of users.bio from text to varchar(160), rewriting the table; it narrows the column: values that do not fit are rejected or cut");
  });

  it("lowers a widening, which keeps every value, to medium", async () => {
    const head = { ...base, "db/migrations/000002_score.up.sql": "ALTER TABLE users ALTER COLUMN score TYPE bigint;\n" };
    const found = await scan(base, head);
    expect(at(found)).toEqual(["sql/column-type-change:1:medium"]);
    expect(found[0]!.message).toMatch(/from integer to bigint, rewriting the table; it widens the column/);
  });

  it("keeps an array column's brackets: an array made a scalar is a conversion, an array type kept is no change", async () => {
    const arrays = { "db/migrations/000001_posts.up.sql": 'CREATE TABLE posts (\n  id bigint PRIMARY KEY,\n  tags text[] NOT NULL,\n  "Kinds" "PostKind"[],\n  grid int ARRAY\n);\n' };
    const scalar = { ...arrays, "db/migrations/000002_tags.up.sql": "ALTER TABLE posts ALTER COLUMN tags TYPE text USING tags[1];\n" };
    const found = await scan(arrays, scalar);
    expect(found.map((f) => f.message)).toEqual(["Changes the type of posts.tags from text[] to text with a USING conversion, rewriting the table; every value is converted by the USING expression, and one that does not convert makes it fail"]);
    const same = { ...arrays, "db/migrations/000002_same.up.sql": 'ALTER TABLE posts ALTER COLUMN "Kinds" TYPE "PostKind"[];\nALTER TABLE posts ALTER COLUMN grid TYPE integer[];\n' };
    expect(at(await scan(arrays, same))).toEqual([]);
  });

  it("says the type before is not known when the column is not in the model", async () => {
    const head = { ...base, "db/migrations/000002_legacy.up.sql": "ALTER TABLE users ALTER COLUMN legacy_code TYPE int;\n" };
    const found = await scan(base, head);
    expect(at(found)).toEqual(["sql/column-type-change:1:high"]);
    expect(found[0]!.message).toMatch(/its type before is not known \(no migration at base defines the column\)$/);
  });
});

const LIBRARY_INITIAL = `from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Author",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100)),
                ("bio", models.TextField(blank=True)),
            ],
        ),
        migrations.CreateModel(
            name="Book",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200)),
                ("isbn", models.CharField(max_length=13, null=True)),
                ("author", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="library.author")),
                ("tags", models.ManyToManyField(to="library.author")),
            ],
        ),
        migrations.CreateModel(
            name="LegacyLoan",
            fields=[("id", models.IntegerField(primary_key=True))],
            options={"db_table": "legacy_loans", "managed": False},
        ),
        migrations.CreateModel(
            name="PaperBook",
            fields=[],
            options={"proxy": True, "indexes": [], "constraints": []},
            bases=("library.book",),
        ),
    ]
`;

const LIBRARY_RUNPYTHON = `from django.db import migrations


def backfill(apps, schema_editor):
    Author = apps.get_model("library", "Author")
    Author.objects.filter(bio="").update(bio="-")


class Migration(migrations.Migration):

    dependencies = [("library", "0001_initial")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
`;

function djangoMigration(operations: string): string {
  return `from django.db import migrations, models
import django.core.validators
import django.db.models.deletion


class Migration(migrations.Migration):

    dependencies = [("library", "0002_backfill")]

    operations = [
${operations}
    ]
`;
}

const LIBRARY = { "library/migrations/__init__.py": "", "library/migrations/0001_initial.py": LIBRARY_INITIAL, "library/migrations/0002_backfill.py": LIBRARY_RUNPYTHON };

describe("Django operations judged against the model state at base", () => {
  it("AlterField that changes null, validators, related_name or on_delete changes no column type", async () => {
    const head = {
      ...LIBRARY,
      "library/migrations/0003_alter.py": djangoMigration(`        migrations.AlterField(
            model_name="author",
            name="bio",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="book",
            name="author",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="books", to="library.author"),
        ),
        migrations.AlterField(
            model_name="book",
            name="title",
            field=models.CharField(max_length=200, validators=[django.core.validators.MinLengthValidator(2)]),
        ),
        migrations.AlterField(
            model_name="book",
            name="tags",
            field=models.ManyToManyField(related_name="tagged_books", to="library.author"),
        ),`),
    };
    expect(at(await scan(LIBRARY, head))).toEqual([]);
  });

  it("AlterUniqueTogether and AlterIndexTogether in the history (their model is `name`) leave the model whole", async () => {
    const base = {
      ...LIBRARY,
      "library/migrations/0003_together.py": djangoMigration(`        migrations.AlterUniqueTogether(name="book", unique_together={("title", "author")}),
        migrations.AlterIndexTogether(name="book", index_together={("title",)}),`),
    };
    const head = { ...base, "library/migrations/0004_bio.py": djangoMigration(`        migrations.AlterField(model_name="author", name="bio", field=models.TextField(blank=True, null=True)),`) };
    expect(at(await scan(base, head))).toEqual([]);
  });

  it("AlterField that keeps the column type: a new collation is medium, a field class Django alone validates is low", async () => {
    const head = {
      ...LIBRARY,
      "library/migrations/0003_sort.py": djangoMigration(`        migrations.AlterField(model_name="author", name="name", field=models.CharField(db_collation="natural_sort", max_length=100)),
        migrations.AlterField(model_name="book", name="isbn", field=models.EmailField(max_length=13, null=True)),`),
    };
    const findings = (await scan(LIBRARY, head)).filter((f) => f.rule === "sql/column-type-change");
    expect(findings.map((f) => [f.line, f.severity])).toEqual([
      [11, "medium"],
      [12, "low"],
    ]);
    expect(findings[0]!.message).toMatch(/collation .*the type stays varchar\(100\)/);
    expect(findings[1]!.message).toContain("its column type stays varchar(13)");
  });

  it("AlterField that narrows a column says from what to what", async () => {
    const head = {
      ...LIBRARY,
      "library/migrations/0003_name.py": djangoMigration(`        migrations.AlterField(model_name="author", name="name", field=models.CharField(max_length=60)),`),
    };
    const found = await scan(LIBRARY, head);
    expect(at(found)).toEqual(["sql/column-type-change:11:high"]);
    expect(found[0]!.message).toMatch(/^Alters the field author\.name from varchar\(100\) to varchar\(60\) \(CharField\(max_length=100\) → CharField\(max_length=60\)\); it narrows/);
  });

  it("AlterField from null=True to NOT NULL is a NOT NULL change, not a type change", async () => {
    const head = {
      ...LIBRARY,
      "library/migrations/0003_isbn.py": djangoMigration(`        migrations.AlterField(model_name="book", name="isbn", field=models.CharField(max_length=13, default="")),`),
    };
    expect(at(await scan(LIBRARY, head))).toEqual(["sql/not-null:11:medium"]);
  });

  it("AlterField of a field the model does not know keeps today's judgement and says why", async () => {
    const head = {
      ...LIBRARY,
      "library/migrations/0003_pages.py": djangoMigration(`        migrations.AlterField(model_name="book", name="pages", field=models.IntegerField(null=True)),`),
    };
    const found = await scan(LIBRARY, head);
    expect(at(found)).toEqual(["sql/column-type-change:11:high"]);
    expect(found[0]!.message).toMatch(/its previous definition is not known \(no migration at base defines it\)$/);
  });

  it("AlterField falls back when a migration at base does not parse", async () => {
    const base = { ...LIBRARY, "library/migrations/0002_backfill.py": `${LIBRARY_RUNPYTHON}\n    operations = [migrations.RemoveField(model_name="author", name="bio"\n` };
    const head = {
      ...base,
      "library/migrations/0003_alter.py": djangoMigration(`        migrations.AlterField(model_name="author", name="bio", field=models.TextField(blank=True, null=True)),`),
    };
    const found = (await scan(base, head)).filter((f) => f.file.endsWith("0003_alter.py"));
    expect(at(found)).toEqual(["sql/column-type-change:11:high"]);
    expect(found[0]!.message).toMatch(/the migrations at base could not all be followed: library\/migrations\/0002_backfill\.py:\d+: This migration does not parse as Python/);
  });

  it("DeleteModel of a managed = False or a proxy model drops no table; of a managed model it does", async () => {
    const head = {
      ...LIBRARY,
      "library/migrations/0003_delete.py": djangoMigration(`        migrations.DeleteModel(name="LegacyLoan"),
        migrations.DeleteModel(name="PaperBook"),
        migrations.DeleteModel(name="Book"),`),
    };
    expect(at(await scan(LIBRARY, head))).toEqual(["sql/drop-table:13:critical"]);
  });

  it("SeparateDatabaseAndState's state operations keep the state without touching the database", async () => {
    const head = {
      ...LIBRARY,
      "library/migrations/0003_state.py": djangoMigration(`        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterModelOptions(name="author", options={"managed": False})],
        ),
        migrations.DeleteModel(name="Author"),`),
    };
    expect(at(await scan(LIBRARY, head))).toEqual([]);
  });
});

describe("MySQL CHANGE and MODIFY judged against the column at base", () => {
  const base = {
    "db/migrations/mysql/000001_orders.up.sql": "CREATE TABLE `orders` (\n  `id` bigint unsigned NOT NULL AUTO_INCREMENT,\n  `uuid` char(36) NOT NULL,\n  `note` varchar(255) DEFAULT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;\n",
  };

  it("CHANGE old new with the type unchanged is only a rename", async () => {
    const head = { ...base, "db/migrations/mysql/000002_public_id.up.sql": "ALTER TABLE `orders` CHANGE `uuid` `public_id` char(36) NOT NULL;\n" };
    expect(at(await scan(base, head))).toEqual(["sql/rename:1:high"]);
  });

  it("CHANGE that also changes the type is both, and says what the type was", async () => {
    const head = { ...base, "db/migrations/mysql/000002_public_id.up.sql": "ALTER TABLE `orders` CHANGE `uuid` `public_id` varchar(64) NOT NULL;\n" };
    const found = await scan(base, head);
    expect(at(found).sort()).toEqual(["sql/column-type-change:1:high", "sql/rename:1:high"]);
    expect(found.find((f) => f.rule === "sql/column-type-change")!.message).toMatch(/as public_id VARCHAR\(64\) \(it was char\(36\)\)$/);
  });

  it("MODIFY that widens the column (varchar to TEXT) is medium, and says so", async () => {
    const head = { ...base, "db/migrations/mysql/000002_note.up.sql": "ALTER TABLE `orders` MODIFY `note` TEXT;\n" };
    const found = await scan(base, head);
    expect(at(found)).toEqual(["sql/column-type-change:1:medium"]);
    expect(found[0]!.message).toMatch(/\(it was varchar\(255\)\): it widens the column/);
  });

  it("MODIFY that keeps the type and adds NOT NULL is a NOT NULL change", async () => {
    const head = { ...base, "db/migrations/mysql/000002_note.up.sql": "ALTER TABLE `orders` MODIFY `note` varchar(255) NOT NULL;\n" };
    expect(at(await scan(base, head))).toEqual(["sql/not-null:1:medium"]);
  });
});

describe("sql/update-rows where the model knows the column held data", () => {
  const base = {
    "db/migrations/000001_accounts.up.sql": "CREATE TABLE accounts (\n  id bigserial PRIMARY KEY,\n  status text NOT NULL DEFAULT 'active',\n  region text\n);\n",
  };

  it("reports an UPDATE of a column that existed at base", async () => {
    const head = { ...base, "db/migrations/000002_suspend.up.sql": "UPDATE accounts SET status = 'suspended' WHERE region = 'eu-west-3';\n" };
    expect(at(await scan(base, head))).toEqual(["sql/update-rows:1:medium"]);
  });

  it("not one of a column added by an earlier migration of the same change", async () => {
    const head = {
      ...base,
      "db/migrations/000002_tier.up.sql": "ALTER TABLE accounts ADD COLUMN tier text;\n",
      "db/migrations/000003_backfill_tier.up.sql": "UPDATE accounts SET tier = 'standard' WHERE region IS NOT NULL;\n",
    };
    expect(at(await scan(base, head))).toEqual([]);
  });

  it("and one in a Django RunSQL on the table of a model that existed at base", async () => {
    const initial = djangoMigration(`        migrations.CreateModel(name="Shelf", fields=[("id", models.BigAutoField(primary_key=True)), ("label", models.CharField(max_length=40))]),`);
    const django = { "library/migrations/0001_initial.py": initial };
    const head = {
      ...django,
      "library/migrations/0002_relabel.py": djangoMigration(`        migrations.RunSQL("UPDATE library_shelf SET label = 'archive' WHERE id < 100", migrations.RunSQL.noop),`),
    };
    expect(at(await scan(django, head))).toEqual(["sql/update-rows:11:medium"]);
  });
});
