//! `user` and `group` of a destination: numeric ids, or names looked up in `/etc/passwd` and
//! `/etc/group`. Read directly rather than through the C library's NSS: sd is a static binary,
//! and glibc's static `getpwnam` cannot load NSS modules anyway.

/// The owner asked for; None keeps the existing file's (or the process's for a new file).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Owner {
    pub uid: Option<u32>,
    pub gid: Option<u32>,
}

/// Resolves `user` and `group` (names or numbers).
pub(crate) fn resolve(user: Option<&str>, group: Option<&str>) -> Result<Owner, String> {
    Ok(Owner {
        uid: user.map(|u| lookup(u, "/etc/passwd", "user")).transpose()?,
        gid: group
            .map(|g| lookup(g, "/etc/group", "group"))
            .transpose()?,
    })
}

fn lookup(name: &str, db: &str, what: &str) -> Result<u32, String> {
    if let Ok(id) = name.parse::<u32>() {
        return Ok(id);
    }
    let text = std::fs::read_to_string(db).map_err(|e| format!("{what} {name:?}: {db}: {e}"))?;
    find(&text, name).ok_or_else(|| format!("{what} {name:?} does not exist (not in {db})"))
}

/// The id of `name` in a passwd/group-format text (`name:x:id:...`).
fn find(text: &str, name: &str) -> Option<u32> {
    text.lines().find_map(|line| {
        let mut fields = line.split(':');
        (fields.next()? == name)
            .then(|| fields.nth(1)?.parse().ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        let passwd =
            "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n";
        assert_eq!(find(passwd, "www-data"), Some(33));
        assert_eq!(find(passwd, "www"), None);
        assert_eq!(
            resolve(Some("0"), Some("12")).unwrap(),
            Owner {
                uid: Some(0),
                gid: Some(12)
            }
        );
        assert_eq!(resolve(Some("root"), None).unwrap().uid, Some(0));
        assert!(resolve(Some("no-such-user-here"), None)
            .unwrap_err()
            .contains("does not exist"));
    }
}
