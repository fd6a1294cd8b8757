//! The interface's words in English and French. Lesson text comes from the lesson packs.

use leptos::prelude::*;

/// A language of the interface and of the lesson packs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    Fr,
}

impl Locale {
    /// The folder of the lesson packs and the `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
        }
    }

    /// Reads a saved code; anything else is `None`.
    pub fn from_code(code: &str) -> Option<Locale> {
        match code {
            "en" => Some(Locale::En),
            "fr" => Some(Locale::Fr),
            _ => None,
        }
    }
}

/// The interface language, shared through context.
#[derive(Clone, Copy)]
pub struct CurrentLocale(pub RwSignal<Locale>);

/// A key of [`STRINGS`], checked when the program is compiled: made only by [`key!`] (and
/// so [`tr!`]), which refuses a key that has no entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(usize);

impl Key {
    /// The key of `name`; a compile error, through [`key!`], when there is none.
    #[doc(hidden)]
    pub const fn checked(name: &str) -> Key {
        let mut index = 0;
        while index < STRINGS.len() {
            if same(STRINGS[index].0, name) {
                return Key(index);
            }
            index += 1;
        }
        panic!("the interface has no string with this key: add it to STRINGS in src/i18n.rs");
    }
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

// Each key once, and every text written in both languages: checked when compiling.
const _: () = {
    let mut i = 0;
    while i < STRINGS.len() {
        let (name, en, fr) = STRINGS[i];
        assert!(
            !en.is_empty() && !fr.is_empty(),
            "an interface string is empty in one language"
        );
        let mut j = i + 1;
        while j < STRINGS.len() {
            assert!(
                !same(name, STRINGS[j].0),
                "an interface string's key is used twice"
            );
            j += 1;
        }
        i += 1;
    }
};

/// The [`Key`] of an interface string, checked at compile time.
macro_rules! key {
    ($name:literal) => {
        const { $crate::i18n::Key::checked($name) }
    };
}
pub(crate) use key;

/// A reactive translation of an interface string, its key checked at compile time.
macro_rules! tr {
    ($name:literal) => {
        $crate::i18n::text($crate::i18n::key!($name))
    };
}
pub(crate) use tr;

/// A reactive translation of `key` in the current language.
pub fn text(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let locale = expect_context::<CurrentLocale>().0;
    move || translate(locale.get(), key)
}

/// The text of `key` in `locale`.
pub fn translate(locale: Locale, key: Key) -> &'static str {
    let (_, en, fr) = STRINGS[key.0];
    match locale {
        Locale::En => en,
        Locale::Fr => fr,
    }
}

/// Every interface string: its key, English, French. An entry cannot leave a language out.
const STRINGS: &[(&str, &str, &str)] = &[
    ("nav.catalog", "Lessons", "Leçons"),
    ("nav.sandbox", "Sandbox", "Bac à sable"),
    (
        "editor.fallback",
        "The code editor could not be loaded: this file is edited as plain text. Reload the page to try again.",
        "L’éditeur de code n’a pas pu être chargé : ce fichier s’édite en texte brut. Rechargez la page pour réessayer.",
    ),
    ("theme.toggle", "Switch light and dark theme", "Basculer thème clair ou sombre"),
    ("progress.export", "Export progress", "Exporter la progression"),
    ("progress.import", "Import progress", "Importer la progression"),
    ("progress.imported", "Progress imported.", "Progression importée."),
    ("progress.import_failed", "This file was not imported:", "Ce fichier n'a pas été importé :"),
    ("progress.quarantined",
        "Your saved progress could not be read, so it was kept aside and not used:",
        "Votre progression enregistrée n'a pas pu être lue ; elle a été mise de côté :",
    ),
    ("progress.download_kept", "Download the kept copy", "Télécharger la copie conservée"),
    ("progress.not_kept",
        "Your saved progress could not be read, and there was no room to keep a copy aside. Download it: nothing is saved until you do.",
        "Votre progression enregistrée n'a pas pu être lue, et la place manque pour en garder une copie. Téléchargez-la : rien n'est enregistré avant.",
    ),
    ("progress.download_and_resume", "Download it and resume saving", "La télécharger et reprendre l'enregistrement"),
    ("progress.save_failed",
        "Your progress could not be saved in this browser. Export it to keep it:",
        "Votre progression n'a pas pu être enregistrée dans ce navigateur. Exportez-la pour la garder :",
    ),
    ("stage.panels", "Stage panels", "Panneaux de la scène"),
    ("stage.text", "Lesson", "Leçon"),
    ("stage.back", "Previous step (←)", "Étape précédente (←)"),
    ("stage.next", "Next step (→)", "Étape suivante (→)"),
    ("stage.speaker", "Open the speaker window (S)", "Ouvrir la fenêtre de l'orateur (S)"),
    ("stage.speaker_short", "Speaker", "Orateur"),
    ("stage.leave", "Leave presenter mode (P or Esc)", "Quitter le mode présentation (P ou Échap)"),
    ("stage.leave_short", "Exit", "Quitter"),
    ("fac.pop_out", "Pop out", "Détacher"),
    ("fac.pop_out_title",
        "Open the console in its own window for your screen; the room's page shows only the world",
        "Ouvrir la console dans sa propre fenêtre pour votre écran ; la page de la salle ne montre que le monde",
    ),
    ("fac.connected", "Acting on the room's page:", "Agit sur la page de la salle :"),
    ("fac.waiting",
        "Waiting for the room's page: open a lesson or the sandbox with ?facilitate in this browser.",
        "En attente de la page de la salle : ouvrez une leçon ou le bac à sable avec ?facilitate dans ce navigateur.",
    ),
    ("fac.button", "Facilitate", "Animer"),
    ("fac.title", "Game day: facilitator", "Game day : animation"),
    ("fac.hide", "hides it from the room", "la cache à la salle"),
    ("fac.close", "Close", "Fermer"),
    ("fac.fault", "Break something", "Casser quelque chose"),
    ("fac.kind", "Fault", "Panne"),
    ("fac.kind_errors", "Errors on a route", "Erreurs sur une route"),
    ("fac.kind_crash", "php-fpm crashes in a pod", "php-fpm plante dans un pod"),
    ("fac.kind_burst", "Traffic burst", "Pic de trafic"),
    ("fac.kind_bad_release", "Bad release", "Release défectueuse"),
    ("fac.kind_database", "Database class too small", "Base trop petite"),
    ("fac.kind_finding", "Compliance finding", "Écart de conformité"),
    ("fac.env", "Environment", "Environnement"),
    ("fac.service", "Service", "Service"),
    ("fac.route", "Route", "Route"),
    ("fac.all_routes", "every route", "toutes les routes"),
    ("fac.status", "Status", "Statut"),
    ("fac.percent", "% of requests", "% des requêtes"),
    ("fac.factor", "Traffic ×", "Trafic ×"),
    ("fac.minutes", "Lasts (minutes, 0 = to the end)", "Dure (minutes, 0 = jusqu'au bout)"),
    ("fac.version", "Version", "Version"),
    ("fac.class", "Instance class", "Classe d'instance"),
    ("fac.rule", "AWS Config rule", "Règle AWS Config"),
    ("fac.inject", "Inject now", "Injecter maintenant"),
    ("fac.game", "Prepare a game", "Préparer une partie"),
    ("fac.at_minute", "Strikes at minute", "Frappe à la minute"),
    ("fac.add", "Add to the game", "Ajouter à la partie"),
    ("fac.remove", "Remove", "Retirer"),
    ("fac.default_title", "Game day", "Game day"),
    ("fac.game_title", "Title", "Titre"),
    ("fac.speed", "Clock", "Horloge"),
    ("fac.length", "Length (min.)", "Durée (min.)"),
    ("fac.starts_in", "Starts in (real min.)", "Départ dans (min. réelles)"),
    ("fac.starts_help",
        "Every participant's clock follows the room's from the start. With 0, each one starts when they join.",
        "L'horloge de chaque participant suit celle de la salle à partir du départ. Avec 0, chacun démarre en rejoignant.",
    ),
    ("fac.make_link", "Copy the participants' link", "Copier le lien des participants"),
    ("fac.link", "Participants' link", "Lien des participants"),
    ("fac.timelines", "Timelines", "Chronologies"),
    ("fac.open_timelines", "Open the participants' timeline files", "Ouvrir les chronologies des participants"),
    ("fac.participant", "Participant", "Participant"),
    ("game.lead", "Something will break. Watch the alerts and the dashboards, find what it is, and fix it. Your clock follows the room's.", "Quelque chose va casser. Surveillez les alertes et les dashboards, trouvez ce que c'est, et réparez. Votre horloge suit celle de la salle."),
    ("game.starts_in", "Starts in", "Démarre dans"),
    ("game.on", "Game on:", "Partie en cours :"),
    ("game.over", "Game over: read your timeline", "Partie terminée : lisez votre chronologie"),
    ("game.timeline", "My timeline", "Ma chronologie"),
    ("game.join_title", "Join the game day", "Rejoindre le game day"),
    ("game.join_lead", "Your name goes on the timeline you hand in at the end.", "Votre nom figure sur la chronologie que vous rendez à la fin."),
    ("game.your_name", "Your name", "Votre nom"),
    ("game.join", "Join", "Rejoindre"),
    ("game.detected", "Detected after", "Détecté après"),
    ("game.responded", "Responded after", "Réaction après"),
    ("game.fixed", "Fixed after", "Réparé après"),
    ("game.export", "Export the timeline", "Exporter la chronologie"),
    ("game.close", "Back to the game", "Retour à la partie"),
    ("game.bad_link", "This game link could not be opened:", "Ce lien de partie n'a pas pu être ouvert :"),
    ("game.bad_save", "Your saved progress in this game could not be read; it is offered as a download:", "Votre progression enregistrée dans cette partie n'a pas pu être lue ; elle est proposée en téléchargement :"),
    ("game.save_failed", "Your progress in this game could not be saved:", "Votre progression dans cette partie n'a pas pu être enregistrée :"),
    ("stage.enter", "Present (P)", "Présenter (P)"),
    ("speaker.waiting", "Waiting for the stage", "En attente de la scène"),
    ("speaker.how",
        "Open a lesson in presenter mode in this browser (add ?present to its address, or press P), then press S there.",
        "Ouvrez une leçon en mode présentation dans ce navigateur (ajoutez ?present à son adresse, ou appuyez sur P), puis appuyez sur S.",
    ),
    ("speaker.now", "Now", "Maintenant"),
    ("speaker.keys",
        "Keys here and on the stage: → or PageDown the next step, ← or PageUp the previous one, Space the clock. On the stage: 1 to 9 and 0 choose the panel, S opens this window, P or Esc leaves.",
        "Touches ici et sur la scène : → ou PageDown l'étape suivante, ← ou PageUp la précédente, Espace l'horloge. Sur la scène : 1 à 9 et 0 choisissent le panneau, S ouvre cette fenêtre, P ou Échap en sort.",
    ),
    ("clock.keys_present", "present", "présenter"),
    ("speaker.next", "Next", "Ensuite"),
    ("speaker.before", "Before the first step.", "Avant la première étape."),
    ("speaker.end", "The end of the demo.", "La fin de la démo."),
    ("catalog.loading_pack", "Loading the pack…", "Chargement du pack…"),
    ("catalog.pack_failed", "This pack could not be opened", "Ce pack n'a pas pu être ouvert"),
    ("catalog.pack_from", "Opened from", "Ouvert depuis"),
    ("catalog.open_zip", "Open a pack zip", "Ouvrir un pack en zip"),
    ("catalog.open_folder", "Open a pack folder", "Ouvrir un dossier de pack"),
    ("catalog.close_folder", "Close this folder", "Fermer ce dossier"),
    ("share.button", "Share", "Partager"),
    ("share.title",
        "A link to this session: the same world, clock, files and alerts for whoever opens it",
        "Un lien vers cette session : le même monde, la même horloge, les mêmes fichiers et alertes pour qui l'ouvre",
    ),
    ("share.copied", "Link copied to the clipboard", "Lien copié dans le presse-papiers"),
    ("share.copy_yourself", "Select the link and copy it", "Sélectionnez le lien et copiez-le"),
    ("share.characters", "characters", "caractères"),
    ("share.failed", "The link could not be made:", "Le lien n'a pas pu être créé :"),
    ("share.close", "Close", "Fermer"),
    ("share.bad_link",
        "This share link could not be opened; nothing saved was changed:",
        "Ce lien de partage n'a pas pu être ouvert ; rien d'enregistré n'a été modifié :",
    ),
    ("share.banner",
        "A shared session: what you do here is not saved, and your own progress is untouched.",
        "Une session partagée : ce que vous faites ici n'est pas enregistré, et votre propre progression reste intacte.",
    ),
    ("share.keep", "Keep it as my progress", "En faire ma progression"),
    ("share.back", "Back to my progress", "Revenir à ma progression"),
    ("share.leave", "Leave the shared session", "Quitter la session partagée"),
    ("progress.checkpoint_failed",
        "Your progress is saved, but a quick-reload copy of this lesson could not be kept, so reloading it replays it from the start:",
        "Votre progression est enregistrée, mais la copie de rechargement rapide de cette leçon n'a pas pu être conservée : la recharger la rejouera depuis le début :",
    ),
    ("progress.import_confirm",
        "Replace your progress with this file? Your current progress is kept as a backup you can download.",
        "Remplacer votre progression par ce fichier ? La progression actuelle est gardée en sauvegarde téléchargeable.",
    ),
    ("progress.import_cancelled", "Import cancelled: your progress is unchanged.", "Import annulé : votre progression est inchangée."),
    ("progress.download_backup", "Download the previous progress", "Télécharger la progression précédente"),
    ("progress.refused_lessons", "Some lessons of this file were not imported:", "Certaines leçons de ce fichier n'ont pas été importées :"),
    ("progress.other_tab",
        "This lesson is also open in another tab. Each tab saves its own work on it; the tab you use last is the one kept:",
        "Cette leçon est aussi ouverte dans un autre onglet. Chaque onglet enregistre son travail ; le dernier utilisé l'emporte :",
    ),
    ("notice.dismiss", "Dismiss", "Fermer"),
    ("catalog.title", "Learn to run production by running it", "Apprenez la prod en la faisant tourner"),
    ("catalog.lead",
        "A simulated platform in your browser: PHP services on Kubernetes, a database, dashboards, alerts, Terraform and pull requests. Change things, watch them react, break nothing real.",
        "Une plateforme simulée dans votre navigateur : services PHP sur Kubernetes, base de données, tableaux de bord, alertes, Terraform et pull requests. Changez des choses, regardez-les réagir, sans rien casser de réel.",
    ),
    ("catalog.open_sandbox", "Open the sandbox", "Ouvrir le bac à sable"),
    ("catalog.loading", "Loading lessons…", "Chargement des leçons…"),
    ("catalog.minutes", "min", "min"),
    ("catalog.completed", "Completed", "Terminée"),
    ("catalog.in_progress", "In progress", "En cours"),
    ("catalog.not_started", "Not started", "Pas commencée"),
    ("catalog.start", "Start", "Commencer"),
    ("catalog.continue", "Continue", "Continuer"),
    ("catalog.review", "Review", "Revoir"),
    ("catalog.broken", "This lesson cannot be opened:", "Cette leçon ne peut pas être ouverte :"),
    ("level.beginner", "Beginner", "Débutant"),
    ("level.intermediate", "Intermediate", "Intermédiaire"),
    ("level.advanced", "Advanced", "Avancé"),
    ("lesson.loading", "Loading the lesson…", "Chargement de la leçon…"),
    ("lesson.error", "This lesson could not be loaded", "Cette leçon n'a pas pu être chargée"),
    ("lesson.back", "Back to the lessons", "Retour aux leçons"),
    ("lesson.objectives", "Objectives", "Objectifs"),
    ("lesson.hints", "Hints", "Indices"),
    ("lesson.hint", "Hint", "Indice"),
    ("lesson.show_hint", "Show a hint", "Afficher un indice"),
    ("lesson.show_solution", "Show the solution", "Afficher la solution"),
    ("lesson.solution_advance", "Let the clock run for", "Laisser l'horloge tourner"),
    ("lesson.solution_edit", "Edit", "Modifier"),
    ("lesson.solution_kubectl", "In the kubectl console, run", "Dans la console kubectl, lancez"),
    ("lesson.solution_apply",
        "In the Terraform tab, apply with",
        "Dans l'onglet Terraform, appliquer avec",
    ),
    ("lesson.complete", "Lesson complete. Well done!", "Leçon terminée. Bravo !"),
    ("lesson.next", "Back to the catalog", "Retour au catalogue"),
    ("lesson.restart", "Start over", "Recommencer"),
    ("lesson.met", "met", "atteint"),
    ("lesson.not_met", "not met yet", "pas encore atteint"),
    ("tab.files", "Files", "Fichiers"),
    ("tab.terraform", "Terraform", "Terraform"),
    ("tf.database", "Deployed database", "Base de données déployée"),
    ("tf.per_month", "/ month", "/ mois"),
    ("tf.will_be_destroyed", "will be destroyed", "sera détruit"),
    ("tf.apply", "Apply", "Appliquer"),
    ("tf.compliant", "compliant", "conforme"),
    ("tf.differences",
        "What differs between environments",
        "Ce qui diffère entre les environnements",
    ),
    ("tf.variable", "Variable", "Variable"),
    ("tf.open", "Open the plans", "Ouvrir les plans"),
    ("lesson.solution_pr", "On the pull request:", "Sur la pull request :"),
    ("lesson.solution_inject", "Inject the fault:", "Injecter la panne :"),
    ("lesson.solution_tool", "Run on the tool", "Lancer sur l'outil"),
    ("tab.pull_request", "PR", "PR"),
    ("pr.none", "No pull request is open here.", "Aucune pull request n'est ouverte ici."),
    ("pr.open", "Open", "Ouverte"),
    ("pr.merged", "Merged", "Fusionnée"),
    ("pr.opened", "opened this pull request", "a ouvert cette pull request"),
    ("pr.unpushed",
        "Your edits to the application's files are not on the branch yet.",
        "Vos modifications des fichiers de l'application ne sont pas encore sur la branche.",
    ),
    ("pr.push", "Commit and push", "Commit et push"),
    ("pr.add_label", "+ label", "+ label"),
    ("pr.comment", "Comment", "Commenter"),
    ("pr.comment_placeholder", "Leave a comment", "Laisser un commentaire"),
    ("pr.files", "Files changed", "Fichiers modifiés"),
    ("pr.checks", "Checks", "Checks"),
    ("pr.running", "In progress…", "En cours…"),
    ("pr.approvals", "Approvals", "Approbations"),
    ("pr.merge", "Merge pull request", "Fusionner la pull request"),
    ("pr.delivery", "Delivery", "Livraison"),
    ("pr.building",
        "Jenkins builds the image on main…",
        "Jenkins construit l'image sur main…",
    ),
    ("pr.on_staging",
        "Deployed to {env}: promote when its pods are ready.",
        "Déployée en {env} : promouvez quand ses pods sont prêts.",
    ),
    ("pr.on_prod", "Promoted to {env}.", "Promue en {env}."),
    ("pr.rolled_back",
        "Rolled {env} back to the previous version.",
        "Retour de {env} à la version précédente.",
    ),
    ("pr.not_merged",
        "Merging deploys to {first}, then you promote to {env}.",
        "La fusion déploie en {first}, puis vous promouvez en {env}.",
    ),
    ("pr.promote", "Promote to {env}", "Promouvoir en {env}"),
    ("pr.rollback", "Roll back {env}", "Revenir en arrière en {env}"),
    ("helm.failed", "helm template fails", "helm template échoue"),
    ("helm.show", "Show the manifests", "Voir les manifestes"),
    ("helm.hide", "Hide the manifests", "Masquer les manifestes"),
    ("tab.kubernetes", "Kubernetes", "Kubernetes"),
    ("tab.explore", "Explore", "Explorer"),
    ("explore.view", "What to show", "Quoi afficher"),
    ("explore.graph", "Graph", "Graphe"),
    ("explore.explain", "Explain", "Expliquer"),
    ("tab.events", "Events", "Événements"),
    ("tab.dashboard", "Dashboard", "Tableau de bord"),
    ("tab.alerts", "Alerts", "Alertes"),
    ("tab.channel", "Chat", "Chat"),
    ("dashboard.no_data", "No data in this range", "Aucune donnée sur cette période"),
    ("alerts.no_rules", "No alerting rule loaded: edit prometheus/rules.yml", "Aucune règle d'alerte chargée : modifiez prometheus/rules.yml"),
    ("alerts.recording", "Recording rules", "Règles d'enregistrement"),
    ("alerts.alertmanager", "In Alertmanager", "Dans Alertmanager"),
    ("ruletests.run", "Run tests", "Lancer les tests"),
    ("ruletests.like", "as promtool test rules, against the rules as they are now", "comme promtool test rules, sur les règles telles qu'elles sont"),
    ("routes.no_config", "No routing tree: alertmanager/alertmanager.yml is not loaded", "Pas d'arbre de routage : alertmanager/alertmanager.yml n'est pas chargé"),
    ("routes.test", "Test a label set", "Tester un jeu de labels"),
    ("routes.receivers", "Receivers:", "Destinataires :"),
    ("routes.alerts_here", "Active alerts delivered through this route", "Alertes actives livrées par cette route"),
    ("channel.empty", "No message in this channel yet.", "Aucun message dans ce canal pour l'instant."),
    ("channel.open_dashboard", "Open the dashboard", "Ouvrir le tableau de bord"),
    ("files.no_problems", "No problems", "Aucun problème"),
    ("k8s.deployment", "Deployment", "Déploiement"),
    ("k8s.ready", "Ready", "Prêts"),
    ("k8s.desired", "Desired", "Souhaités"),
    ("k8s.pods", "Pods", "Pods"),
    ("k8s.starting", "starting", "démarrage"),
    ("k8s.running", "running", "en service"),
    ("k8s.pending", "pending: no room on a node", "en attente : plus de place sur les nœuds"),
    ("k8s.autoscaler", "Autoscaler", "Autoscaler"),
    ("k8s.console", "kubectl", "kubectl"),
    ("k8s.console-hint",
        "Type a kubectl command, for example `get hpa` or `describe hpa users`; `help` lists them.",
        "Tapez une commande kubectl, par exemple `get hpa` ou `describe hpa users` ; `help` les liste.",
    ),
    ("k8s.namespace", "namespace", "namespace"),
    ("events.empty", "Nothing has happened yet. Start the clock.", "Rien ne s'est encore passé. Démarrez l'horloge."),
    ("clock.play", "Play (Space)", "Lecture (Espace)"),
    ("clock.pause", "Pause (Space)", "Pause (Espace)"),
    ("clock.step", "Step one tick (.)", "Avancer d'un tick (.)"),
    ("clock.reset", "Reset to the start (R)", "Revenir au début (R)"),
    ("clock.speed", "Speed", "Vitesse"),
    ("clock.elapsed", "elapsed", "écoulé"),
    ("clock.day", "day", "jour"),
    ("clock.key_space", "Space", "Espace"),
    ("clock.keys_play", "play/pause", "lecture/pause"),
    ("clock.keys_step", "step", "pas à pas"),
    ("clock.keys_reset", "reset", "remise à zéro"),
    ("sandbox.title", "Sandbox", "Bac à sable"),
    ("sandbox.lead",
        "The whole workbench, no lesson, no objectives. Change anything and watch what happens.",
        "Tout l'atelier, sans leçon ni objectif. Changez ce que vous voulez et regardez ce qui se passe.",
    ),
    ("lesson.problems", "This lesson's text has problems, by line and column:", "Le texte de cette leçon a des problèmes, par ligne et colonne :"),
    ("notfound.title", "Page not found", "Page introuvable"),
    ("notfound.lead", "There is nothing at this address:", "Il n'y a rien à cette adresse :"),
];
