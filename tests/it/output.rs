//! The write stage's guarantees: atomic swap, never replacing a folder clausebook did not create.

use crate::harness::*;

#[test]
fn failed_build_leaves_previous_output_byte_identical() {
    let site = Site::valid();
    assert_eq!(site.build(&[]).0, 0);
    let before = site.output();
    site.write(
        "content/platforms/beta/clauses/spam.yaml",
        "title: [broken\n",
    );
    let (code, err) = site.build(&[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("content/platforms/beta/clauses/spam.yaml:"),
        "{err}"
    );
    assert_eq!(site.output(), before);
    let siblings = siblings(site.dir());
    assert!(
        !siblings.iter().any(|s| s.contains("clausebook")),
        "no staging folder left: {siblings:?}"
    );
}

#[test]
fn refuses_to_replace_a_folder_it_did_not_create() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("docs");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "precious").unwrap();
    let (code, err) = build(&fixture("valid"), &out, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("refusing to replace"), "{err}");
    let tree = Tree::read(&out);
    assert_eq!(tree.page("notes.txt"), "precious");
    assert_eq!(tree.len(), 1);
}

#[test]
fn replaces_an_empty_folder_and_its_own_output() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    assert_eq!(build(&fixture("valid"), &out, &[]).0, 0);
    std::fs::write(out.join("stale.html"), "old").unwrap();
    assert_eq!(build(&fixture("valid"), &out, &[]).0, 0);
    assert!(!out.join("stale.html").exists());
}

#[test]
fn check_writes_nothing() {
    let site = Site::valid();
    let (code, stderr) = site.check();
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("No errors"), "{stderr}");
    assert!(!site.path("output").exists());
}

/// Render writes exactly the files of the route table that load builds (and checks aliases and
/// theme files against), and the search index in its own folder; the table has a page for every
/// record, a file for every alias and every theme static file.
#[test]
fn route_table_lists_every_file_a_build_writes() {
    for root in [fixture("valid"), repo_root()] {
        let options = clausebook::load::LoadOptions::default();
        let loaded = clausebook::load::load(&root, &options).unwrap();
        let claimed: Vec<String> = loaded.routes.iter().map(|(f, _)| f.to_string()).collect();
        let built = clausebook::build(&root, &options).unwrap();
        let (index, written): (Vec<String>, Vec<String>) = built
            .output
            .iter()
            .map(|(p, _)| p.to_string())
            .partition(|p| p.starts_with("pagefind/"));
        assert_eq!(claimed, written, "{}", root.display());
        assert!(index.contains(&"pagefind/pagefind.js".to_string()));
        let site = &loaded.site;
        let mut expected: Vec<String> = loaded.theme.statics.keys().cloned().collect();
        for p in &site.platforms {
            for c in &p.clauses {
                expected.push(format!("platforms/{}/clauses/{}/index.html", p.id, c.id));
                expected.extend(c.alias_files.iter().cloned());
            }
            for d in &p.documents {
                for s in &d.snapshots {
                    let (pid, did) = (&p.id, &d.id);
                    expected.push(format!(
                        "platforms/{pid}/documents/{did}/versions/{}/index.html",
                        s.timestamp
                    ));
                }
            }
        }
        for e in &expected {
            assert!(claimed.contains(e), "{} lacks {e}", root.display());
        }
    }
}

/// `build` writes each file as it is rendered, dropping each document's texts once its pages
/// are written: what it writes is byte for byte what a build held whole in memory gives.
#[test]
fn a_streamed_build_writes_exactly_what_an_in_memory_build_holds() {
    let sample = clausebook::load::LoadOptions {
        base_url: Some("https://example.org/atlas/".into()),
        ..Default::default()
    };
    for (root, streamed, options) in [
        (repo_root(), built_sample(), sample),
        (fixture("fidelity"), built_fidelity(), Default::default()),
    ] {
        let memory = clausebook::build(&root, &options).unwrap().output;
        let written: Vec<(&str, &[u8])> = streamed
            .tree
            .files()
            .filter(|(p, _)| *p != clausebook::output::MARKER)
            .collect();
        let held: Vec<(&str, &[u8])> = memory.iter().collect();
        assert_eq!(written.len(), held.len(), "{}", root.display());
        for ((wp, wb), (hp, hb)) in written.iter().zip(&held) {
            assert_eq!(wp, hp, "{}", root.display());
            assert!(wb == hb, "{}: {wp} differs", root.display());
        }
    }
}
