import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Dataset, Model, RecwasmError, demoDataset, evaluate, leaveOneOut, loadRecwasm } from 'recwasm';

before(async () => {
  await loadRecwasm();
});

const isCode = (code) => (e) => e instanceof RecwasmError && e.code === code;

test('content_tfidf and covisitation reproduce the notebook through the package', () => {
  const data = demoDataset();
  const split = leaveOneOut(data, { seed: 42 });
  const content = Model.create('content_tfidf');
  const covis = Model.create('covisitation');
  try {
    content.fit(split.train);
    covis.fit(split.train);
    let e = evaluate(content, split.test, { k: 10 });
    assert.ok(Math.abs(e.precision - 0.08) < 1e-12 && Math.abs(e.recall - 0.8) < 1e-12);
    e = evaluate(covis, split.test, { k: 10 });
    assert.ok(Math.abs(e.precision - 13 / 300) < 1e-12 && Math.abs(e.recall - 13 / 30) < 1e-12);
    assert.deepEqual(content.recommend(2).items, [29, 30, 6, 17, 0, 50, 40, 24, 12, 58]);
    assert.deepEqual(covis.recommend(2).items, [15, 57, 32, 22, 26, 39, 58]);
    assert.deepEqual(covis.explain(2, 15).items, [38]);
    assert.deepEqual(content.info().options, { max_features: 5000, stop_words: 'english', profile: 'mean' });
    assert.deepEqual(covis.info().options, { neighbors: 50, pad_with_popularity: false });

    const copy = Model.load(content.save());
    assert.deepEqual(copy.recommend(2), content.recommend(2));
    copy.dispose();
  } finally {
    content.dispose();
    covis.dispose();
    split.dispose();
    data.dispose();
  }
});

test('classic models speak the caller ids and reject data they cannot use', () => {
  const data = Dataset.fromArrays({
    users: [10, 10, 20, 20, 30],
    items: [500, 700, 700, 900, 500],
    ratings: [5, 1, 4, 4, 3],
  });
  const content = Model.create('content_tfidf', { profile: 'centered' });
  const covis = Model.create('covisitation', { pad_with_popularity: true });
  try {
    assert.throws(() => content.fit(data), isCode('INVALID_ARGUMENT'));
    assert.throws(() => covis.fit(data), isCode('INVALID_ARGUMENT'));
    assert.equal(content.fitted, false);

    data.setItemText(['space alien war', 'love story', 'space robot']); // items 500, 700, 900
    data.setSessions([
      [500, 900],
      [700, 500],
    ]);
    content.fit(data);
    covis.fit(data);
    // User 10 loved 500 (space) and disliked 700 (love): 900 (space) is the one left.
    assert.deepEqual(content.recommend(10).items, [900]);
    assert.deepEqual(content.similarItems(500).items, [900]);
    assert.deepEqual(content.explain(10, 900).items, [500]);
    // User 30's last item is 500, whose neighbours are 900 then 700 (first counted).
    assert.deepEqual(covis.similarItems(500).items, [900, 700]);
    assert.deepEqual(covis.recommend(null, { history: [700, 500], k: 3 }).items, [900]);
    assert.deepEqual(covis.recommend(null, { history: [700, 500], k: 3, excludeSeen: false }).items, [900, 700, 500]);

    assert.throws(() => Model.create('content_tfidf', { profile: 'median' }), isCode('INVALID_ARGUMENT'));
    assert.throws(() => Model.create('covisitation', { neighbours: 10 }), isCode('INVALID_ARGUMENT'));
    assert.throws(() => content.recommend(10, { k: 0 }), isCode('INVALID_ARGUMENT'));
    assert.throws(() => covis.recommend(99), isCode('UNKNOWN_USER'));
  } finally {
    content.dispose();
    covis.dispose();
    data.dispose();
  }
});
