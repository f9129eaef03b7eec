//! [`Names`]: interned names (suites, files), each string stored once: the index finds a name
//! by hash and compares against the stored list, so it keeps no second copy of the names (at
//! 100,000 distinct files, a `HashMap<String, _>` doubled their memory).

use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

/// Names in the order first seen, each with its index.
#[derive(Debug, Default)]
pub(super) struct Names {
    names: Vec<String>,
    index: HashTable<u32>,
    hasher: RandomState,
}

impl Names {
    /// The index of `name`, added if new.
    pub fn get(&mut self, name: &str) -> u32 {
        let Self { names, index, hasher } = self;
        let hash = hasher.hash_one(name);
        if let Some(&i) = index.find(hash, |&i| names[i as usize] == name) {
            return i;
        }
        let i = u32::try_from(names.len()).expect("fewer than 4 billion names");
        names.push(name.to_string());
        index.insert_unique(hash, i, |&j| hasher.hash_one(names[j as usize].as_str()));
        i
    }

    /// The names, in index order.
    pub fn as_slice(&self) -> &[String] {
        &self.names
    }

    /// The names, in index order.
    pub fn into_vec(self) -> Vec<String> {
        self.names
    }
}

#[cfg(test)]
mod tests {
    use super::Names;

    #[test]
    fn each_name_gets_one_index_in_first_seen_order() {
        let mut names = Names::default();
        assert_eq!(names.get("b"), 0);
        assert_eq!(names.get("a"), 1);
        assert_eq!(names.get("b"), 0);
        for i in 0..1000 {
            assert_eq!(names.get(&format!("n{i}")), i + 2);
        }
        assert_eq!(names.get("a"), 1);
        assert_eq!(names.as_slice()[..2], ["b", "a"]);
        assert_eq!(names.into_vec().len(), 1002);
    }
}
