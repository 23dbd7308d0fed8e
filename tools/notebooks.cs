#:project ../src/DepthKit.Notebooks/DepthKit.Notebooks.csproj
// Notebooks generated from file-based apps (the apps are the source; see notebooks/README.md):
//   dotnet run tools/notebooks.cs -- sync   [APPS NOTEBOOKS]   write every notebook that differs from its app
//   dotnet run tools/notebooks.cs -- check  [APPS NOTEBOOKS]   list drifted notebooks, exit 1 if any
//   dotnet run tools/notebooks.cs -- import NOTEBOOK.ipynb APPS  turn an existing notebook into APPS/NAME.cs once
// APPS and NOTEBOOKS default to lessons and notebooks (relative to the current folder).
using DepthKit.Notebooks.Documents;

try
{
    var command = args.Length > 0 ? args[0] : "sync";
    switch (command)
    {
        case "sync" or "check":
            string apps = args.Length > 1 ? args[1] : "lessons", notebooks = args.Length > 2 ? args[2] : "notebooks";
            if (command == "sync")
            {
                var written = NotebookSync.Write(apps, notebooks);
                foreach (var n in written) Console.WriteLine($"wrote {Path.GetRelativePath(".", n)}");
                Console.WriteLine($"{NotebookSync.Plan(apps, notebooks).Count} notebooks from {apps}, {written.Count} rewritten");
                return 0;
            }
            var drifted = NotebookSync.Plan(apps, notebooks).Where(g => g.Drifted).ToList();
            foreach (var g in drifted) Console.WriteLine($"{Path.GetRelativePath(".", g.Notebook)} differs from {Path.GetRelativePath(".", g.App)}");
            return drifted.Count == 0 ? 0 : 1;
        case "import" when args.Length == 3:
            Console.WriteLine($"wrote {Path.GetRelativePath(".", NotebookSync.Import(args[1], args[2]))}");
            return 0;
        default:
            Console.Error.WriteLine("usage: dotnet run tools/notebooks.cs -- sync|check [APPS NOTEBOOKS] | import NOTEBOOK.ipynb APPS");
            return 2;
    }
}
catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or System.Text.Json.JsonException)
{
    Console.Error.WriteLine($"notebooks: {e.Message}");
    return 1;
}
