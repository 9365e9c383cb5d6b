// Runs a Python script inside Pyodide under Node.js, with no network: the wheels in a
// folder are unpacked into Pyodide's file system (its site-packages) first.
//
//   node run.mjs PYODIDE_DIR WHEELS_DIR SCRIPT
//
// What the script prints goes to stdout; a Python exception ends the run with status 1.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheelsDir, script] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: path.resolve(pyodideDir) + path.sep });
pyodide.setStdout({ batched: (line) => process.stdout.write(line + "\n") });
pyodide.setStderr({ batched: (line) => process.stderr.write(line + "\n") });

pyodide.FS.mkdirTree("/wheels");
for (const name of fs.readdirSync(wheelsDir).filter((n) => n.endsWith(".whl"))) {
  pyodide.FS.writeFile(`/wheels/${name}`, fs.readFileSync(path.join(wheelsDir, name)));
}
try {
  pyodide.runPython(`
import pathlib, site, zipfile
target = site.getsitepackages()[0]
for wheel in sorted(pathlib.Path("/wheels").glob("*.whl")):
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
`);
  pyodide.runPython(fs.readFileSync(script, "utf8"), { filename: path.basename(script) });
} catch (error) {
  process.stderr.write(String(error.message ?? error) + "\n");
  process.exit(1);
}
