#!/usr/bin/env python3
"""Checks issued completion certificates (registry/certificates.cc) against
the Open Badges 3.0 JSON Schema and their JSON-LD contexts.

For every credential file given:
  1. it validates against the OB 3.0 AchievementCredential JSON Schema with a
     real validator (python3-jsonschema, the draft the schema declares);
  2. every property name and every `type` value resolves to a term defined by
     one of the contexts the credential lists in `@context`, following the
     JSON-LD 1.1 scoping rules as far as our credentials need them: contexts
     apply in order, `@protected` terms may not be redefined, type-scoped
     contexts apply to the typed node only (not propagated), property-scoped
     contexts apply to the property's value, and values of `@type: @vocab`
     terms must be terms too. A term that only the VC 2.0 context's `@vocab`
     (issuer-dependent) would map counts as NOT defined: that is exactly a
     term somebody forgot to define.

Usage: check_credentials.py --schema FILE --context URL=FILE [--context ...] CRED.json...
Exit code 0 when every credential passes; 1 with one line per problem.
"""
import argparse
import json
import sys

import jsonschema


class ContextError(Exception):
    pass


def normalize(definition):
    if definition is None:
        return None
    if isinstance(definition, str):
        return {"@id": definition}
    return dict(definition)


class Contexts:
    def __init__(self, documents):
        self.documents = documents  # URL -> parsed context document

    def apply(self, active, local):
        """Returns a new active context: `active` with `local` (a URL, an
        inline object, null or an array of those) processed onto it."""
        if isinstance(local, list):
            for item in local:
                active = self.apply(active, item)
            return active
        if local is None:
            return {}
        if isinstance(local, str):
            if local not in self.documents:
                raise ContextError("context %s is not known to the test" % local)
            return self.apply(active, self.documents[local]["@context"])
        result = dict(active)
        protected = bool(local.get("@protected", False))
        for term, definition in local.items():
            if term.startswith("@"):
                continue  # @protected, @version, @vocab (never counted as a definition)
            new = normalize(definition)
            if new is not None:
                new["@protected"] = bool(new.get("@protected", protected))
            old = result.get(term)
            if old is not None and old.get("@protected"):
                same = {k: v for k, v in old.items() if k != "@protected"} == {
                    k: v for k, v in (new or {}).items() if k != "@protected"}
                if not same:
                    raise ContextError("the protected term %r is redefined" % term)
                continue
            if new is None:
                result.pop(term, None)
            else:
                result[term] = new
        return result


def resolves(active, term):
    return term in active or (":" in term and not term.startswith("@"))


def walk(contexts, node, active, path, problems):
    """Checks one node object; `active` is the context in effect for it."""
    if "@context" in node:
        active = contexts.apply(active, node["@context"])
    types = node.get("type", [])
    if isinstance(types, str):
        types = [types]
    node_ctx = active
    for t in sorted(types):
        if not resolves(active, t):
            problems.append("%s: type %r is not defined by the contexts" % (path, t))
            continue
        scoped = active.get(t, {}).get("@context")
        if scoped is not None:
            node_ctx = contexts.apply(node_ctx, scoped)
    for key, value in node.items():
        if key == "@context":
            continue
        where = "%s/%s" % (path, key)
        if not resolves(node_ctx, key):
            problems.append("%s: property %r is not defined by the contexts" % (where, key))
            continue
        definition = node_ctx.get(key, {})
        if definition.get("@type") == "@json":
            continue
        # Nested nodes: type-scoped contexts of this node do not propagate;
        # the property's own context does.
        child_ctx = active
        if definition.get("@context", False) is not False:
            child_ctx = contexts.apply(active, definition["@context"])
        vocab_ctx = node_ctx
        if definition.get("@context", False) is not False:
            vocab_ctx = contexts.apply(node_ctx, definition["@context"])
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            item_path = where if not isinstance(value, list) else "%s/%d" % (where, i)
            if isinstance(item, dict):
                walk(contexts, item, child_ctx, item_path, problems)
            elif isinstance(item, str) and definition.get("@type") == "@vocab":
                if not resolves(vocab_ctx, item):
                    problems.append("%s: value %r is not a defined term" % (item_path, item))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema", required=True)
    parser.add_argument("--context", action="append", default=[], help="URL=FILE")
    parser.add_argument("credentials", nargs="+")
    args = parser.parse_args()

    with open(args.schema, encoding="utf-8") as f:
        schema = json.load(f)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    documents = {}
    for pair in args.context:
        url, _, path = pair.partition("=")
        with open(path, encoding="utf-8") as f:
            documents[url] = json.load(f)
    contexts = Contexts(documents)

    problems = []
    for path in args.credentials:
        with open(path, encoding="utf-8") as f:
            credential = json.load(f)
        for error in validator.iter_errors(credential):
            problems.append("%s: schema: /%s: %s" % (
                path, "/".join(str(p) for p in error.absolute_path), error.message[:300]))
        try:
            walk(contexts, credential, {}, path + "#", problems)
        except ContextError as e:
            problems.append("%s: contexts: %s" % (path, e))
    for p in problems:
        print(p)
    print("%d credential(s) checked (%s), %d problem(s)" % (
        len(args.credentials), validator_class.__name__, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
