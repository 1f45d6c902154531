//! The output folder is swapped in atomically and safely: readers never find it
//! missing, two builds into one output do not trip over each other, a symbolic link stays a
//! link, an output inside the inputs is refused, and a user's folder keeps its permissions.

use crate::harness::*;
use clausebook::output::{Sink, Staging};
use std::sync::atomic::{AtomicBool, Ordering};

/// Writes into `out`, through a staging folder swapped in, a small site whose every page names
/// the build that wrote it.
fn write_site(build: usize, out: &std::path::Path) {
    let staging = Staging::begin(out).unwrap();
    let put = |path: &str, text: String| staging.put(path, &text.into_bytes().into()).unwrap();
    put("index.html", format!("build {build}"));
    for page in 0..50 {
        put(
            &format!("pages/{page}/index.html"),
            format!("page {page} of build {build}"),
        );
    }
    staging.commit().unwrap();
}

#[cfg(any(target_os = "linux", target_os = "android"))]
#[test]
fn readers_never_find_the_output_missing() {
    const BUILDS: usize = 50;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    write_site(0, &out);
    let index = out.join("index.html");
    let done = AtomicBool::new(false);
    let (reads, missing) = std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let (mut reads, mut missing) = (0usize, 0usize);
            loop {
                match std::fs::read(&index) {
                    Ok(bytes) => {
                        assert!(bytes.starts_with(b"build "), "{bytes:?}");
                        reads += 1;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => missing += 1,
                    Err(e) => panic!("{}: {e}", index.display()),
                }
                if done.load(Ordering::Relaxed) {
                    return (reads, missing);
                }
            }
        });
        for build in 1..=BUILDS {
            write_site(build, &out);
        }
        done.store(true, Ordering::Relaxed);
        reader.join().unwrap()
    });
    assert_eq!(
        missing,
        0,
        "index.html missing in {missing} of {} reads",
        reads + missing
    );
    assert_eq!(
        std::fs::read(&index).unwrap(),
        format!("build {BUILDS}").as_bytes()
    );
    assert_eq!(
        siblings(tmp.path()),
        ["out"],
        "nothing left beside the output"
    );
}

#[cfg(unix)]
#[test]
fn a_second_build_into_the_same_output_fails_clearly() {
    use rustix::fs::{FlockOperation, flock};
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_eq!(build(&fixture("valid"), &out, &[]).0, 0);
    let before = Tree::read(&out);
    // Another build holds the lock.
    let lock = std::fs::File::create(tmp.path().join(".out.clausebook-lock")).unwrap();
    flock(&lock, FlockOperation::NonBlockingLockExclusive).unwrap();
    let (code, err) = build(&fixture("valid"), &out, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("another build is writing to"), "{err}");
    assert_eq!(Tree::read(&out), before);
    drop(lock);
    let (code, err) = build(&fixture("valid"), &out, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(siblings(tmp.path()), ["out"], "the lock file is removed");
}

#[cfg(unix)]
#[test]
fn an_output_that_is_a_link_is_followed_and_stays_a_link() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("www/site");
    std::fs::create_dir_all(&target).unwrap();
    let link = tmp.path().join("public");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    for _ in 0..2 {
        let (code, err) = build(&fixture("valid"), &link, &[]);
        assert_eq!(code, 0, "{err}");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(target.join("index.html").is_file());
    }
    assert_eq!(siblings(&tmp.path().join("www")), ["site"]);

    let dangling = tmp.path().join("gone");
    std::os::unix::fs::symlink(tmp.path().join("nowhere"), &dangling).unwrap();
    let (code, err) = build(&fixture("valid"), &dangling, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert!(
        std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(!tmp.path().join("nowhere").exists());
}

#[test]
fn an_output_inside_the_inputs_is_refused() {
    let site = Site::valid();
    let root = &site.root;
    std::fs::create_dir_all(root.join("themes/mine/static")).unwrap();
    let content = Tree::read(root);
    let inside = [
        root.join("content/site"),
        root.join("content/not/yet/there"),
        root.join("output/../content/pages/../x"),
        root.join("themes/mine/static/out"),
    ];
    for out in &inside {
        let (code, err) = build(root, out, &[]);
        assert_eq!(code, 2, "{}: {err}", out.display());
        assert!(err.contains("which the build reads"), "{err}");
    }
    #[cfg(unix)]
    {
        // Through a link to the content folder.
        std::os::unix::fs::symlink(root.join("content"), site.dir().join("alias")).unwrap();
        let (code, err) = build(root, &site.dir().join("alias/out"), &[]);
        assert_eq!(code, 2, "{err}");
    }
    assert_eq!(Tree::read(root), content, "nothing written into the site");
    assert_eq!(build(root, &root.join("themes/mine/out"), &[]).0, 0);
}

#[cfg(unix)]
#[test]
fn the_output_folder_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o750)).unwrap();
    for _ in 0..2 {
        let (code, err) = build(&fixture("valid"), &out, &[]);
        assert_eq!(code, 0, "{err}");
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o7777, 0o750);
    }
}
